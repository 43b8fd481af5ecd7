"""Transactional outbox: events are rows written with the state change, then relayed.

A service never publishes to Kafka inside a request or handler. It stages the
envelope in its `outbox` table in the same transaction as its state change;
`OutboxRelay` deletes committed rows in batches and publishes them (all sends
awaited together) before that delete commits. A crash in between republishes: consumers'
inboxes make that harmless. One relay per database publishes at a time (an
advisory lock), which keeps each key's messages in commit order. Each send is a
producer span in the trace the row was staged in (the row's `traceparent`).

The relay also shows its backlog (`payroute_outbox_backlog`) without a scan per
scrape: a batch shorter than the batch size, read under the lock, means the table
was drained (0, for free); otherwise (a full batch, another replica holding the
lock, a failing broker) it counts the rows, capped, at most every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    MetaData,
    Table,
    Text,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from payroute_common.envelope import Envelope
from payroute_common.service_metrics import OUTBOX_BACKLOG
from payroute_common.topics import TopicSpec, topic_name
from payroute_common.tracing import publishing

log = structlog.get_logger(__name__)

# A backlog is counted up to this many rows: enough to tell "stuck" from "busy",
# while the count stays a read of bounded size.
BACKLOG_COUNT_CAP = 100_000
BACKLOG_CHECK_S = 5.0


def relay_lock_key(service_name: str) -> int:
    """The advisory lock a service's relays publish under, in the service's database."""
    return zlib.crc32(f"outbox:{service_name}".encode())


def define_outbox(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("value", Text, nullable=False),
        Column("headers", JSONB, nullable=False, server_default="{}"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@dataclass(frozen=True)
class OutgoingMessage:
    topic: TopicSpec
    key: str
    envelope: Envelope
    headers: dict[str, str]

    def row(self, prefix: str) -> dict[str, object]:
        return {
            "topic": topic_name(self.topic, prefix),
            "key": self.key,
            "value": self.envelope.model_dump_json(),
            "headers": self.headers,
        }


async def stage(
    session: AsyncSession, table: Table, messages: Sequence[OutgoingMessage], prefix: str
) -> None:
    """Insert `messages` into the outbox in the session's transaction.

    One pipelined executemany on the asyncpg driver, skipping SQLAlchemy's
    per-statement work: the unit of work uses it for commits with more rows than
    `hot_writes.MAX_ROWS` (fewer go in one statement with the commit's new rows). When SQLAlchemy
    has begun the transaction (any write through it has), the rows join it; when
    it has not, nothing else was written and the insert is atomic by itself.
    """
    if not messages:
        return
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None  # a pooled, checked-out connection
    rows = [m.row(prefix) for m in messages]
    await driver.executemany(
        _insert_sql(table),
        [(r["topic"], r["key"], r["value"], json.dumps(r["headers"])) for r in rows],
    )


def _take_sql(table: Table) -> str:
    """Take the relay's lock and, if held, delete the oldest rows: one row per taken
    row in id order, each saying `held`, or a single row of NULLs when none was taken."""
    return f"""
WITH lock AS (SELECT pg_try_advisory_xact_lock($1) AS held),
taken AS (
    DELETE FROM {table.name} WHERE id IN (
        SELECT id FROM {table.name} WHERE (SELECT held FROM lock) ORDER BY id LIMIT $2
    )
    RETURNING id, topic, key, value, headers::text AS headers
)
SELECT (SELECT held FROM lock) AS held, taken.*
FROM (SELECT) AS one LEFT JOIN taken ON true
ORDER BY taken.id
"""  # noqa: S608 - a Table name


def _insert_sql(table: Table) -> str:
    return (
        f"INSERT INTO {table.name} (topic, key, value, headers) "  # noqa: S608 - a Table name
        "VALUES ($1, $2, $3, $4::jsonb)"
    )


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        producer: Callable[[], AIOKafkaProducer],
        table: Table,
        *,
        batch_size: int,
        poll_interval_s: float,
        gather_s: float,
        lock_name: str,
        backlog_check_s: float = BACKLOG_CHECK_S,
    ) -> None:
        """`lock_name` is the service's name: it names the advisory lock and the
        backlog's series."""
        self._sessions = sessions
        self._make_producer = producer
        self._producer: AIOKafkaProducer | None = None
        self._table = table
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._gather_s = gather_s
        self._lock_key = relay_lock_key(lock_name)
        self._take_sql = _take_sql(table)
        self._wake = asyncio.Event()
        self._stopping = False
        self._backlog = OUTBOX_BACKLOG.labels(service=lock_name)
        self._backlog.set(0)
        self._backlog_check_s = backlog_check_s
        self._backlog_checked_at = -backlog_check_s

    async def start(self) -> None:
        """Connect the relay's own producer (it must be made inside the running loop)."""
        self._producer = self._make_producer()
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    def wake(self) -> None:
        """Called after a commit that staged messages: publish now, not at the next poll."""
        self._wake.set()

    async def publish_pending(self) -> int:
        """Publish one batch of committed rows; the number published."""
        return await self._publish_batch() or 0

    async def _publish_batch(self) -> int | None:
        """The number of rows published; None when another relay holds the lock.

        One transaction of three round trips on the asyncpg driver: BEGIN; take the
        lock and delete the oldest rows, returning them; COMMIT once every send is
        acknowledged. A failed send rolls the delete back, and the rows wait for the
        next round."""
        if self._producer is None:
            raise RuntimeError("the outbox relay is not started")
        producer = self._producer
        async with self._sessions() as session:
            connection = await session.connection()
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None  # a pooled, checked-out connection
            async with driver.transaction():
                rows = await driver.fetch(self._take_sql, self._lock_key, self._batch_size)
                if not rows[0]["held"]:
                    return None
                taken = [row for row in rows if row["id"] is not None]
                sends = []
                for row in taken:
                    with publishing(json.loads(row["headers"]), row["topic"]) as headers:
                        sends.append(
                            await producer.send(
                                row["topic"],
                                row["value"].encode(),
                                key=row["key"].encode(),
                                headers=[(name, value.encode()) for name, value in headers.items()],
                            )
                        )
                await asyncio.gather(*sends)
        return len(taken)

    async def backlog(self, cap: int = BACKLOG_COUNT_CAP) -> int:
        """Rows waiting, counted up to `cap`."""
        waiting = select(literal(1)).select_from(self._table).limit(cap).subquery()
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(waiting)) or 0)

    async def _show_backlog(self, published: int | None) -> None:
        """After a round: 0 when it drained the table, else a capped count at most
        every `backlog_check_s` (a failed count leaves the last value)."""
        now = time.monotonic()
        if published is not None and published < self._batch_size:
            self._backlog.set(0)
        elif now - self._backlog_checked_at >= self._backlog_check_s:
            try:
                self._backlog.set(await self.backlog())
            except Exception:
                log.debug("outbox_backlog_not_counted", exc_info=True)
                return
        else:
            return
        self._backlog_checked_at = now

    async def run(self) -> None:
        backoff = 0.1
        while not self._stopping:
            self._wake.clear()
            try:
                published = await self._publish_batch()
            except Exception:
                log.exception("outbox_publish_failed", retry_in_s=backoff)
                await self._show_backlog(None)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.1
            await self._show_backlog(published)
            if (published or 0) < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
                    # Let concurrent commits land, so one round publishes them all.
                    await asyncio.sleep(self._gather_s)

    async def drain_and_stop(self) -> None:
        """Publish what is committed, then stop the loop."""
        self._stopping = True
        self._wake.set()
        try:
            while await self.publish_pending() == self._batch_size:
                pass
        except Exception:
            log.exception("outbox_drain_failed")
