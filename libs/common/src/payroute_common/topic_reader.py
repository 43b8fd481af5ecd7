"""Read a whole topic, from its first record to its current end, without a consumer group.

For operator tools: partitions are assigned by hand and nothing is committed.
The end is each partition's high-water mark as the fetches report it. The
broker's offset listing is only a fallback: the local broker (Tansu) can answer
`ListOffsets` with an offset inside the last record batch, short of the end.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from payroute_common.kafka_security import client_security
from payroute_common.settings import BrokerSettings

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"

POLL_MS = 200
READ_TIMEOUT_S = 30.0


def operator_consumer(settings: BrokerSettings, group_id: str | None = None) -> AIOKafkaConsumer:
    """A consumer for manual assignment: no auto-commit, short fetch waits."""
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
        request_timeout_ms=10_000,
        **client_security(settings),
    )


async def partitions_of(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """The topic's partitions, in order; empty when the topic does not exist."""
    if topic not in await consumer.topics():
        return []
    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]


async def read_to_end(
    consumer: AIOKafkaConsumer,
    partitions: Sequence[TopicPartition],
    *,
    timeout_s: float = READ_TIMEOUT_S,
) -> list[Record]:
    """Every record now in `partitions`, in (partition, offset) order.

    Raises TimeoutError when the end is not reached within `timeout_s`.
    """
    consumer.assign(list(partitions))
    await consumer.seek_to_beginning(*partitions)
    listed_ends = await consumer.end_offsets(list(partitions))
    records: list[Record] = []
    deadline = time.monotonic() + timeout_s
    while True:
        batch = await consumer.getmany(*partitions, timeout_ms=POLL_MS)
        fetched = [record for part in batch.values() for record in part]
        records += fetched
        if await _at_end(consumer, partitions, listed_ends, polled_empty=not fetched):
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"could not read {partitions[0].topic} to its end in {timeout_s}s")
    return sorted(records, key=lambda record: (record.partition, record.offset))


async def _at_end(
    consumer: AIOKafkaConsumer,
    partitions: Sequence[TopicPartition],
    listed_ends: dict[TopicPartition, int],
    *,
    polled_empty: bool,
) -> bool:
    """Whether every partition is read up to its high-water mark.

    Before a fetch has reported one, an empty poll past the listed end counts.
    """
    positions = await asyncio.gather(*(consumer.position(tp) for tp in partitions))
    for tp, position in zip(partitions, positions, strict=True):
        highwater = consumer.highwater(tp)
        if highwater is not None:
            if position < highwater:
                return False
        elif not (polled_empty and position >= listed_ends[tp]):
            return False
    return True
