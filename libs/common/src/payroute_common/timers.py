"""Durable timers: rows in the service's own database, fired by a poller.

A timer is scheduled in the transaction of the state change that needs it
(`schedule`), so it exists exactly when that change does, and it survives
restarts. `TimerPoller` claims due timers with `FOR UPDATE SKIP LOCKED` (each
fires once however many replicas poll) and runs the handler in the same
transaction as the timer's deletion: the handler's effect and the timer's end
commit together, or neither does and the timer fires again.

A timer whose handler keeps failing is postponed (exponential, capped) so it
does not hold back the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import structlog
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    Row,
    Table,
    Text,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from payroute_common.uow import UnitOfWork

log = structlog.get_logger(__name__)

UoW = TypeVar("UoW", bound=UnitOfWork)


def define_timers(metadata: MetaData) -> Table:
    return Table(
        "timers",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("kind", Text, nullable=False),
        Column("aggregate_id", Text, nullable=False, index=True),
        Column("due_at", DateTime(timezone=True), nullable=False, index=True),
        Column("payload", JSONB, nullable=False, server_default="{}"),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


@dataclass(frozen=True)
class Timer:
    """Fire `kind` for `aggregate_id` at `due_at`; `id` is set once stored."""

    kind: str
    aggregate_id: str
    due_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    attempts: int = 0

    def row(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "aggregate_id": self.aggregate_id,
            "due_at": self.due_at,
            "payload": self.payload,
        }


def _timer(row: Row[Any]) -> Timer:
    return Timer(
        kind=row.kind,
        aggregate_id=row.aggregate_id,
        due_at=row.due_at,
        payload=row.payload,
        id=row.id,
        attempts=row.attempts,
    )


async def schedule(session: AsyncSession, table: Table, timers: Iterable[Timer]) -> None:
    """Store `timers` in the session's transaction."""
    rows = [t.row() for t in timers]
    if rows:
        await (await session.connection()).execute(table.insert(), rows)


async def cancel(session: AsyncSession, table: Table, kind: str, aggregate_id: str) -> None:
    """Drop the `kind` timers of `aggregate_id` (in the session's transaction)."""
    await session.execute(
        delete(table).where(table.c.kind == kind, table.c.aggregate_id == aggregate_id)
    )


async def claim_due(
    session: AsyncSession, table: Table, limit: int, ids: Sequence[int] | None = None
) -> list[Timer]:
    """Lock due timers no other transaction holds, earliest first."""
    query = select(table).where(table.c.due_at <= func.now())
    if ids is not None:
        query = query.where(table.c.id.in_(ids))
    query = query.order_by(table.c.due_at, table.c.id).limit(limit)
    rows = await session.execute(query.with_for_update(skip_locked=True))
    return [_timer(row) for row in rows]


TimerHandler = Callable[[Sequence[Timer], UoW], Awaitable[None]]


class TimerPoller(Generic[UoW]):
    """Fires due timers of one table through `handle`, in a unit of work per batch."""

    def __init__(
        self,
        units: Callable[[], UoW],
        table: Table,
        handle: TimerHandler[UoW],
        *,
        batch_size: int = 100,
        poll_interval_s: float = 1.0,
        retry_base_s: float = 5.0,
        retry_max_s: float = 600.0,
    ) -> None:
        self._units = units
        self._table = table
        self._handle = handle
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._retry_base_s = retry_base_s
        self._retry_max_s = retry_max_s

    async def _fire(self, uow: UoW, due: Sequence[Timer]) -> None:
        await self._handle(due, uow)
        ids = [t.id for t in due]
        await uow.session.execute(delete(self._table).where(self._table.c.id.in_(ids)))
        await uow.commit()

    async def fire_due(self) -> int:
        """Fire one batch of due timers; how many were claimed."""
        async with self._units() as uow:
            due = await claim_due(uow.session, self._table, self._batch_size)
            if not due:
                return 0
            try:
                await self._fire(uow, due)
            except Exception:
                log.exception("timers_failed", count=len(due))
            else:
                return len(due)
        # One bad timer must not hold back the others: fire each alone.
        for timer in due:
            await self._fire_alone(timer)
        return len(due)

    async def _fire_alone(self, timer: Timer) -> None:
        assert timer.id is not None
        async with self._units() as uow:
            due = await claim_due(uow.session, self._table, 1, ids=[timer.id])
            if not due:
                return
            try:
                await self._fire(uow, due)
            except Exception:
                log.exception("timer_failed", timer_id=timer.id, kind=timer.kind)
            else:
                return
        delay = min(self._retry_base_s * 2**timer.attempts, self._retry_max_s)
        async with self._units() as uow:
            await uow.session.execute(
                update(self._table)
                .where(self._table.c.id == timer.id)
                .values(
                    due_at=func.now() + timedelta(seconds=delay),
                    attempts=self._table.c.attempts + 1,
                )
            )
            await uow.commit()
        log.warning("timer_postponed", timer_id=timer.id, kind=timer.kind, delay_s=delay)

    async def run(self) -> None:
        """Poll until cancelled; a full batch polls again at once."""
        while True:
            try:
                fired = await self.fire_due()
            except Exception:
                log.exception("timer_poll_failed")
                fired = 0
            if fired < self._batch_size:
                await asyncio.sleep(self._poll_interval_s)
