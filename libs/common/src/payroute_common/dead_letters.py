"""Dead-letter topics: poison records leave the partition with the reason attached."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker

from payroute_common.topics import dead_letter_topic, topic_name

log = structlog.get_logger(__name__)

MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class DeadLetter:
    record: "ConsumerRecord[bytes, bytes]"
    error: str


def dead_letter_headers(letter: DeadLetter, group: str) -> dict[str, str]:
    """The record's own headers (trace context and the like) plus the reason it left.

    Replaying a letter (`payroute dlq replay`) restores the record's own headers.
    """
    record = letter.record
    return {
        **{key: (value or b"").decode("utf-8", "replace") for key, value in record.headers},
        "dlq-error": letter.error[:MAX_ERROR_CHARS],
        "dlq-consumer-group": group,
        "dlq-original-topic": record.topic,
        "dlq-original-partition": str(record.partition),
        "dlq-original-offset": str(record.offset),
    }


async def send_dead_letters(
    broker: KafkaBroker, group: str, prefix: str, letters: Sequence[DeadLetter]
) -> None:
    """Publish `letters` to the group's DLQ and wait for the broker to take them all."""
    topic = topic_name(dead_letter_topic(group), prefix)
    sends = [
        await broker.publish(
            letter.record.value or b"",
            topic,
            key=letter.record.key,
            headers=dead_letter_headers(letter, group),
            no_confirm=True,
        )
        for letter in letters
    ]
    await asyncio.gather(*sends)
    for letter in letters:
        log.warning(
            "dead_lettered",
            topic=letter.record.topic,
            partition=letter.record.partition,
            offset=letter.record.offset,
            error=letter.error[:300],
        )
