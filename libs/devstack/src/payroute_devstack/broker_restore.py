"""What outlives a broker rotation: the topics, the kept records and the commits on them.

See `broker_rotation`. Kept records go back to their own partitions in order, so
on a fresh topic each gets its offset back; a commit on a kept topic is moved to
where the same records now are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import NewTopic

from payroute_common.kafka import PRODUCER_OPTIONS
from payroute_common.kafka_security import KafkaSecurity, client_security
from payroute_common.topic_reader import Record, read_to_end
from payroute_devstack.broker_state import CLIENT_ID, BrokerState, admin_client, plain_consumer

Kept = dict[TopicPartition, list[Record]]


async def read_kept(servers: str, state: BrokerState) -> Kept:
    """Every record of the kept topics, by partition in offset order."""
    kept: Kept = {}
    topics = [topic for topic in state.kept_topics() if state.records([topic])]
    if not topics:
        # Also spares aiokafka a stop right after its start, which can raise
        # CancelledError from a coordinator task that never got to run.
        return kept
    consumer = plain_consumer(servers)
    await consumer.start()
    try:
        for topic in topics:
            for record in await read_to_end(consumer, state.topic_partitions(topic)):
                tp = TopicPartition(record.topic, record.partition)
                kept.setdefault(tp, []).append(record)
    finally:
        await consumer.stop()
    return kept


async def create_topics(servers: str, partitions: Mapping[str, int]) -> list[str]:
    """Create the topics with their partition counts; the refusals, as the broker gave them."""
    if not partitions:
        return []
    admin = admin_client(servers)
    await admin.start()
    try:
        topics = [NewTopic(t, n, 1) for t, n in sorted(partitions.items())]
        response = await admin.create_topics(topics)
    finally:
        await admin.close()
    # (topic, error_code, error_message) per topic
    return [f"{error[0]}: {error[2]}" for error in response.topic_errors if error[1]]


async def produce(servers: str, kept: Kept) -> None:
    """Each kept record to its own partition, in order, so it gets its offset back."""
    if not kept:
        return
    producer = AIOKafkaProducer(
        bootstrap_servers=servers,
        client_id=CLIENT_ID,
        **PRODUCER_OPTIONS,
        **client_security(KafkaSecurity()),
    )
    await producer.start()
    try:
        sends = [
            await producer.send(
                r.topic,
                r.value,
                key=r.key,
                partition=r.partition,
                timestamp_ms=r.timestamp,
                headers=list(r.headers),
            )
            for records in kept.values()
            for r in records
        ]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def commit_again(servers: str, before: BrokerState, kept: Kept) -> None:
    """The commits on kept topics, moved to where the same records now are."""
    kept_topics = set(before.kept_topics())
    for group, offsets in before.committed.items():
        marks = {
            tp: sum(1 for r in kept.get(tp, []) if r.offset < at)
            for tp, at in offsets.items()
            if tp.topic in kept_topics
        }
        if marks:
            consumer = plain_consumer(servers, group_id=group)
            await consumer.start()
            try:
                consumer.assign(list(marks))
                await consumer.commit(marks)
            finally:
                await consumer.stop()
