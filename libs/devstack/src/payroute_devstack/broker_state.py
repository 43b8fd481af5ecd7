"""What the local broker holds: topics, their true ends, consumer groups and their offsets.

Read for the broker rotation (`broker_rotation`). Tansu answers `ListOffsets` with
the base of a partition's last record batch plus one, short of the end when that
batch holds several records, so the ends here are the high-water marks that
fetches report. Tansu lists only groups that have committed offsets, so the
stack's own groups are also asked for by name; and its group descriptions carry no
subscriptions: which topics a group consumes is read from its committed offsets
(see `consumed_topics`).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from payroute_common.kafka_security import KafkaSecurity, client_security
from payroute_devstack.errors import DevstackError

CLIENT_ID = "payroute-dev-broker-rotation"
STABLE = "Stable"
READ_WITHIN_S = 10.0


@dataclass(frozen=True)
class Group:
    state: str
    members: int


@dataclass(frozen=True)
class BrokerState:
    partitions: Mapping[str, int]  # topic -> partition count
    ends: Mapping[TopicPartition, int]  # high-water marks
    groups: Mapping[str, Group]
    committed: Mapping[str, Mapping[TopicPartition, int]]  # group -> its commits

    def topic_partitions(self, topic: str) -> list[TopicPartition]:
        return [TopicPartition(topic, p) for p in range(self.partitions.get(topic, 0))]

    def active_groups(self) -> list[str]:
        """Groups with members: the services' subscribers."""
        return sorted(g for g, group in self.groups.items() if group.members)

    def consumed_topics(self) -> set[str]:
        """Topics an active group has committed on. aiokafka commits every assigned
        partition it holds a position for, so a member's first commit covers all of
        its partitions; a topic no active group has committed on counts as unconsumed,
        and its records are kept."""
        return {tp.topic for g in self.active_groups() for tp in self.committed.get(g, {})}

    def kept_topics(self) -> list[str]:
        """Topics whose records must outlive the broker: dead letters and every other
        topic no active group consumes."""
        return sorted(t for t in self.partitions if t not in self.consumed_topics())

    def silent_groups(self) -> list[str]:
        """Active groups that have committed nothing: what they consume is unknown."""
        return [g for g in self.active_groups() if not self.committed.get(g)]

    def undrained(self) -> list[str]:
        """What still waits to be consumed on the consumed topics; empty when drained.

        Every group that committed on a consumed topic, with members or without (a
        stopped service's), must have committed its end on every partition of it.
        """
        waiting = [f"{g} has consumed nothing yet" for g in self.silent_groups()]
        waiting += [
            f"{g} is {self.groups[g].state}"
            for g in self.active_groups()
            if self.groups[g].state != STABLE
        ]
        for topic in sorted(self.consumed_topics()):
            for group, offsets in sorted(self.committed.items()):
                if not any(tp.topic == topic for tp in offsets):
                    continue
                for tp in self.topic_partitions(topic):
                    at, end = offsets.get(tp, 0), self.ends[tp]
                    if at < end:
                        waiting.append(f"{group} at {at} of {end} on {topic}[{tp.partition}]")
        return waiting

    def beyond_end(self) -> list[str]:
        """Commits past a partition's end: a group there would skip new records."""
        return [
            f"{group} committed {at} on {tp.topic}[{tp.partition}], whose end is {self.ends[tp]}"
            for group, offsets in sorted(self.committed.items())
            for tp, at in offsets.items()
            if tp in self.ends and at > self.ends[tp]
        ]

    def records(self, topics: list[str]) -> int:
        return sum(end for tp, end in self.ends.items() if tp.topic in topics)


def plain_consumer(bootstrap_servers: str, group_id: str | None = None) -> AIOKafkaConsumer:
    """A consumer for manual assignment; the local broker takes PLAINTEXT only."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        client_id=CLIENT_ID,
        group_id=group_id,
        enable_auto_commit=False,
        **client_security(KafkaSecurity()),
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
        request_timeout_ms=10_000,
    )


def admin_client(bootstrap_servers: str) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        client_id=CLIENT_ID,
        request_timeout_ms=10_000,
        **client_security(KafkaSecurity()),
    )


async def read_state(bootstrap_servers: str, known_groups: Collection[str]) -> BrokerState:
    """The broker's topics, ends and groups (those listed and `known_groups`)."""
    consumer = plain_consumer(bootstrap_servers)
    admin = admin_client(bootstrap_servers)
    await consumer.start()
    try:
        await admin.start()
        partitions = {
            t: len(consumer.partitions_for_topic(t) or ()) for t in await consumer.topics()
        }
        tps = [TopicPartition(t, p) for t, n in sorted(partitions.items()) for p in range(n)]
        ends = await high_watermarks(consumer, tps)
        groups = await read_groups(admin, known_groups)
        committed = {g: await committed_offsets(admin, g, tps) for g in groups}
    finally:
        await admin.close()
        await consumer.stop()
    return BrokerState(partitions, ends, groups, committed)


async def listed_ends(bootstrap_servers: str) -> dict[TopicPartition, int]:
    """Each partition's end as `ListOffsets` gives it: cheap, within one batch of the truth."""
    consumer = plain_consumer(bootstrap_servers)
    await consumer.start()
    try:
        topics = await consumer.topics()
        tps = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
        return dict(await consumer.end_offsets(tps)) if tps else {}
    finally:
        await consumer.stop()


async def high_watermarks(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """The high-water marks fetches report, each read from just before the listed end."""
    if not tps:
        return {}
    listed = await consumer.end_offsets(tps)
    consumer.assign(tps)
    for tp in tps:
        consumer.seek(tp, max(listed[tp] - 1, 0))
    deadline = time.monotonic() + READ_WITHIN_S
    while any(consumer.highwater(tp) is None for tp in tps):
        if time.monotonic() > deadline:
            raise DevstackError(f"the broker reported no high-water mark within {READ_WITHIN_S}s")
        await consumer.getmany(timeout_ms=100)
    return {tp: int(consumer.highwater(tp) or 0) for tp in tps}


async def read_groups(admin: AIOKafkaAdminClient, known: Collection[str]) -> dict[str, Group]:
    """The state and member count of every group listed and of the `known` ones. Tansu
    lists only groups that have committed, so a group that has not is found by name;
    and one group per request: its answer to a request naming several does not decode."""
    listed = {name for name, _protocol in await admin.list_consumer_groups()}
    groups = {}
    for name in sorted(listed | set(known)):
        for response in await admin.describe_consumer_groups([name]):
            # (error_code, group_id, state, protocol_type, protocol, members, ...)
            for described in response.groups:
                groups[described[1]] = Group(state=described[2], members=len(described[5]))
    return groups


async def committed_offsets(
    admin: AIOKafkaAdminClient, group: str, tps: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """The group's commits on `tps` (Tansu cannot list a group's offsets without them)."""
    if not tps:
        return {}
    offsets = await admin.list_consumer_group_offsets(group, partitions=tps)
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
