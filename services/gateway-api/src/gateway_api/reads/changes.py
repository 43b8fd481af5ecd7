"""Requests waiting for a payment or refund to change (`Prefer: wait=N`), woken by NOTIFY.

The read-model consumer notifies channel `payment_changed` with the ids of the
payments and refunds it moved, in the transaction that applies the events, so the
notification is sent only if the change commits; each waiter re-reads its object
and decides whether it is done (see `reads.waiting.settled`).
Every gateway replica listens on one connection and wakes its own waiters:
waiting needs no polling and holds no pooled database connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable

import asyncpg
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

log = structlog.get_logger(__name__)

CHANNEL = "payment_changed"  # payloads: payment and refund ids
# Statuses a payment is "settling" in: `Prefer: wait` holds the answer while in one.
SETTLING = frozenset({"pending", "processing"})
# NOTIFY payloads are capped at 8000 bytes; payment ids are ~30 characters.
IDS_PER_NOTIFICATION = 200
RECONNECT_DELAY_S = 1.0


async def notify_changed(connection: AsyncConnection, payment_ids: Iterable[str]) -> None:
    """Queue notifications for `payment_ids`; Postgres delivers them at commit."""
    ids = list(payment_ids)
    for start in range(0, len(ids), IDS_PER_NOTIFICATION):
        payload = ",".join(ids[start : start + IDS_PER_NOTIFICATION])
        await connection.execute(
            text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload}
        )


class PaymentWaiters:
    def __init__(self) -> None:
        self._waiting: dict[str, set[asyncio.Event]] = defaultdict(set)
        self.listening = asyncio.Event()

    @contextlib.asynccontextmanager
    async def woken_on_change(self, payment_id: str) -> AsyncIterator[asyncio.Event]:
        """An event set whenever `payment_id` changes while the block runs."""
        event = asyncio.Event()
        self._waiting[payment_id].add(event)
        try:
            yield event
        finally:
            self._waiting[payment_id].discard(event)
            if not self._waiting[payment_id]:
                del self._waiting[payment_id]

    def wake(self, payment_ids: Iterable[str]) -> None:
        for payment_id in payment_ids:
            for event in self._waiting.get(payment_id, ()):
                event.set()

    def wake_all(self) -> None:
        """After a lost listener connection: notifications may have been missed."""
        self.wake(list(self._waiting))

    async def listen(self, dsn: str) -> None:
        """Keep a LISTEN connection open for the life of the service."""
        while True:
            try:
                connection = await asyncpg.connect(dsn)
            except (OSError, asyncpg.PostgresError):
                log.warning("payment_listener_connect_failed", retry_in_s=RECONNECT_DELAY_S)
                await asyncio.sleep(RECONNECT_DELAY_S)
                continue
            try:
                await self._listen_until_lost(connection)
            finally:
                await connection.close()
            log.warning("payment_listener_lost")

    async def _listen_until_lost(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _c: lost.set())
        await connection.add_listener(CHANNEL, self._on_notification)
        self.listening.set()
        self.wake_all()
        try:
            await lost.wait()
        finally:
            self.listening.clear()

    def _on_notification(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self.wake(payload.split(","))
