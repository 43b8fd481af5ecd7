"""After a webhook bench: did every event sent land exactly once, and reach the broker?

The audit log must hold exactly one `accepted` row per event sent, and nothing
else for those ids (a `duplicate` or `rejected` row would mean the bench or the
service misbehaved). Then the outbox must drain, and every accepted event must
be on `provider.webhooks` (at least once: delivery is at-least-once).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from payroute_common.kafka_security import KafkaSecurity, client_security

_STORED = """
SELECT provider_event_id AS id,
       count(*) FILTER (WHERE status = 'accepted') AS accepted,
       count(*) AS stored
FROM webhook_requests
WHERE provider = 'stripe' AND provider_event_id LIKE $1
GROUP BY provider_event_id
"""


@dataclass(frozen=True)
class StoredEvents:
    """How the events sent were stored, against the ids expected."""

    expected: int
    accepted_once: int
    missing: list[str]
    accepted_twice: list[str]
    unexpected: list[str]
    other_rows: int

    @property
    def ok(self) -> bool:
        return self.accepted_once == self.expected and not (
            self.missing or self.accepted_twice or self.unexpected or self.other_rows
        )


def compare(expected: Collection[str], rows: Iterable[tuple[str, int, int]]) -> StoredEvents:
    """Judge `rows` of (event id, accepted rows, all rows) against the ids `expected`."""
    seen = {event: (accepted, stored) for event, accepted, stored in rows}
    return StoredEvents(
        expected=len(expected),
        accepted_once=sum(1 for event in expected if seen.get(event, (0, 0))[0] == 1),
        missing=sorted(event for event in expected if seen.get(event, (0, 0))[0] == 0),
        accepted_twice=sorted(event for event, (accepted, _) in seen.items() if accepted > 1),
        unexpected=sorted(set(seen) - set(expected)),
        other_rows=sum(stored - accepted for accepted, stored in seen.values()),
    )


def libpq_url(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def stored_events(
    database_url: str, id_prefix: str, expected: Collection[str]
) -> StoredEvents:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        rows = await connection.fetch(_STORED, f"{id_prefix}%")
    finally:
        await connection.close()
    return compare(expected, [(r["id"], r["accepted"], r["stored"]) for r in rows])


async def wait_outbox_drained(database_url: str, within: float = 60.0) -> int:
    """Rows left in the outbox once it is empty or `within` seconds have passed."""
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        deadline = time.monotonic() + within
        while True:
            left: int = await connection.fetchval("SELECT count(*) FROM outbox")
            if left == 0 or time.monotonic() > deadline:
                return left
            await asyncio.sleep(0.2)
    finally:
        await connection.close()


async def published_events(bootstrap_servers: str, topic: str, id_prefix: str) -> Counter[str]:
    """How many times each provider event id starting with `id_prefix` is on `topic`.

    Read from the beginning until the topic has nothing more for a second (end
    offsets are not used: the local broker may report them behind its records).
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_wait_ms=50,
        **client_security(KafkaSecurity()),
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen: Counter[str] = Counter()
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 1.0:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            for record in (r for records in batches.values() for r in records):
                quiet_since = time.monotonic()
                event = json.loads(record.value)["payload"].get("provider_event_id", "")
                if event.startswith(id_prefix):
                    seen[event] += 1
        return seen
    finally:
        await consumer.stop()
