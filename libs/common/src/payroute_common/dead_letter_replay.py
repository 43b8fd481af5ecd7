"""A consumer group's dead-letter queue: its letters, what was replayed, and replaying.

What has been replayed is recorded the way Kafka records progress: a committed
offset of the consumer group `payroute-dlq-replay.<group>` on each partition of
the `<group>.dlq` topic. Every letter below that offset has been sent back; the
letters at or above it are pending. Replaying all pending letters moves the mark
to the end; replaying chosen offsets moves it only over an unbroken run of
pending letters starting at the mark, so it never claims a letter that was not
sent. Letters are sent and awaited before the mark moves: a crash in between
sends them again on the next replay, which consumers absorb (their inbox makes
every event's effect happen once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from payroute_common.dead_letter_records import Letter, read_letter
from payroute_common.topic_reader import partitions_of, read_to_end
from payroute_common.topics import dead_letter_topic, topic_name

REPLAY_GROUP_PREFIX = "payroute-dlq-replay."
DLQ_SUFFIX = ".dlq"

# A letter chosen by the operator: (partition or None for "the only one", offset).
Choice = tuple[int | None, int]


class DeadLetterError(Exception):
    """A dead-letter request that cannot be carried out; the message says why."""


def replay_group(group: str) -> str:
    return f"{REPLAY_GROUP_PREFIX}{group}"


def dlq_topic(group: str, prefix: str) -> str:
    return topic_name(dead_letter_topic(group), prefix)


def dlq_groups(topics: Collection[str], prefix: str) -> list[str]:
    """The consumer groups that have a dead-letter topic in this environment, sorted."""
    return sorted(
        name[len(prefix) : -len(DLQ_SUFFIX)]
        for name in topics
        if name.startswith(prefix)
        and name.endswith(DLQ_SUFFIX)
        and len(name) > len(prefix) + len(DLQ_SUFFIX)
    )


@dataclass(frozen=True)
class DeadLetterQueue:
    group: str
    topic: str
    partitions: tuple[int, ...]
    letters: tuple[Letter, ...]
    marks: Mapping[int, int]  # partition -> first offset not replayed; absent: none replayed

    def is_replayed(self, letter: Letter) -> bool:
        mark = self.marks.get(letter.partition)
        return mark is not None and letter.offset < mark

    def pending(self) -> list[Letter]:
        return [letter for letter in self.letters if not self.is_replayed(letter)]

    def select(self, choices: Sequence[Choice]) -> list[Letter]:
        """The chosen letters in queue order; every choice must name a letter here."""
        by_position = {(letter.partition, letter.offset): letter for letter in self.letters}
        wanted = {(self._partition(partition), offset) for partition, offset in choices}
        missing = sorted(wanted - by_position.keys())
        if missing:
            shown = ", ".join(f"{p}:{o}" for p, o in missing)
            raise DeadLetterError(f"no letter at {shown} in {self.topic} ({self._span()})")
        return [by_position[position] for position in sorted(wanted)]

    def marks_after(self, sent: Sequence[Letter]) -> dict[int, int]:
        """The marks to commit once `sent` are sent back: only those that move."""
        sent_positions = {(letter.partition, letter.offset) for letter in sent}
        moved: dict[int, int] = {}
        stopped: set[int] = set()
        for letter in self.pending():
            if letter.partition in stopped:
                continue
            if (letter.partition, letter.offset) in sent_positions:
                moved[letter.partition] = letter.offset + 1
            else:
                stopped.add(letter.partition)
        return moved

    def _partition(self, partition: int | None) -> int:
        if partition is not None:
            return partition
        if len(self.partitions) != 1:
            raise DeadLetterError(
                f"{self.topic} has {len(self.partitions)} partitions: give PARTITION:OFFSET"
            )
        return self.partitions[0]

    def _span(self) -> str:
        if not self.letters:
            return "it is empty"
        spans = []
        for partition in self.partitions:
            offsets = [letter.offset for letter in self.letters if letter.partition == partition]
            if offsets:
                spans.append(f"{partition}:{offsets[0]}..{partition}:{offsets[-1]}")
        return "letters " + ", ".join(spans)


async def load_queue(consumer: AIOKafkaConsumer, group: str, prefix: str) -> DeadLetterQueue:
    """Read `group`'s dead-letter topic; `consumer` belongs to the group's replay group."""
    topic = dlq_topic(group, prefix)
    partitions = await partitions_of(consumer, topic)
    if not partitions:
        known = ", ".join(dlq_groups(await consumer.topics(), prefix)) or "none"
        raise DeadLetterError(f"no dead-letter topic {topic!r} (groups with one: {known})")
    records = await read_to_end(consumer, partitions)
    committed = {tp.partition: await consumer.committed(tp) for tp in partitions}
    return DeadLetterQueue(
        group=group,
        topic=topic,
        partitions=tuple(tp.partition for tp in partitions),
        letters=tuple(read_letter(record) for record in records),
        marks={p: mark for p, mark in committed.items() if mark is not None},
    )


def check_routable(letters: Sequence[Letter], topics: Collection[str]) -> None:
    """Refuse the whole replay if any letter has nowhere to go."""
    for letter in letters:
        if letter.original_topic is None:
            raise DeadLetterError(
                f"letter {letter.partition}:{letter.offset} has no dlq-original-topic header; "
                "nothing was sent"
            )
        if letter.original_topic not in topics:
            raise DeadLetterError(
                f"letter {letter.partition}:{letter.offset}: topic {letter.original_topic!r} "
                "does not exist; nothing was sent"
            )


async def send_back(producer: AIOKafkaProducer, letters: Sequence[Letter]) -> None:
    """Publish each letter to its original topic with its key and own headers; await all."""
    sends = [
        await producer.send(
            letter.original_topic or "",
            letter.record.value or b"",
            key=letter.record.key,
            headers=letter.replay_headers(),
        )
        for letter in letters
    ]
    await asyncio.gather(*sends)


async def commit_marks(
    consumer: AIOKafkaConsumer, queue: DeadLetterQueue, marks: Mapping[int, int]
) -> None:
    if marks:
        await consumer.commit({TopicPartition(queue.topic, p): m for p, m in marks.items()})
