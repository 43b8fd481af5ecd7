"""Persistence of the orchestrator's aggregates, and its unit of work.

A batch of messages is handled in one transaction: `load` fetches (and
row-locks) every payment the batch touches, with their refunds, in two
queries; handlers work on the in-memory aggregates; `commit` writes back the
new and changed ones (changed = its row differs from the one loaded) and the
timers scheduled meanwhile. Refund rows change only under their payment's lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, Protocol, Self, TypeVar

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.domain import Payment, Refund
from orchestrator.rows import payment_from, payment_row, refund_from, refund_row
from orchestrator.tables import payments, refunds, timers
from payroute_common import timers as durable
from payroute_common.timers import Timer
from payroute_common.uow import UnitOfWork, UnitOfWorkInterface

A = TypeVar("A")


class PaymentRepository(Protocol):
    async def load(self, payment_ids: Iterable[str]) -> None: ...
    def get(self, payment_id: str) -> Payment | None: ...
    def add(self, payment: Payment) -> None: ...


class RefundRepository(Protocol):
    def get(self, refund_id: str) -> Refund | None: ...
    def add(self, refund: Refund) -> None: ...


class TimerSchedule(Protocol):
    def schedule(self, timer: Timer) -> None: ...


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    """What handlers need: repositories, timers, and a way to publish (via the outbox)."""

    @property
    def payments(self) -> PaymentRepository: ...
    @property
    def refunds(self) -> RefundRepository: ...
    @property
    def timers(self) -> TimerSchedule: ...


class _Rows(Generic[A]):
    """Aggregates of one table: loaded ones (with the row they had) and new ones."""

    def __init__(
        self,
        session: AsyncSession,
        table: Table,
        key: Callable[[A], str],
        to_row: Callable[[A], dict[str, Any]],
    ) -> None:
        self._session = session
        self._table = table
        self._key = key
        self._to_row = to_row
        self._loaded: dict[str, tuple[A, dict[str, Any]]] = {}
        self._new: dict[str, A] = {}

    def known(self, key: str) -> bool:
        return key in self._loaded or key in self._new

    def loaded(self, aggregate: A) -> None:
        self._loaded[self._key(aggregate)] = (aggregate, self._to_row(aggregate))

    def get(self, key: str) -> A | None:
        if key in self._new:
            return self._new[key]
        found = self._loaded.get(key)
        return found[0] if found else None

    def add(self, aggregate: A) -> None:
        self._new[self._key(aggregate)] = aggregate

    async def flush(self) -> None:
        connection = await self._session.connection()
        if self._new:
            await connection.execute(
                self._table.insert(), [self._to_row(a) for a in self._new.values()]
            )
        changed = []
        for aggregate, before in self._loaded.values():
            row = self._to_row(aggregate)
            if row != before:
                changed.append(row)
        if changed:
            columns = [c.name for c in self._table.columns if c.name != "id"]
            statement = (
                update(self._table)
                .where(self._table.c.id == bindparam("b_id"))
                .values({name: bindparam(name) for name in columns})
            )
            await connection.execute(
                statement, [{"b_id": row["id"], **{n: row[n] for n in columns}} for row in changed]
            )
        for aggregate in [*self._new.values(), *(a for a, _ in self._loaded.values())]:
            self.loaded(aggregate)
        self._new = {}


class SqlPaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.rows = _Rows[Payment](session, payments, lambda p: p.payment_id, payment_row)
        self.refunds = _Rows[Refund](session, refunds, lambda r: r.refund_id, refund_row)

    async def load(self, payment_ids: Iterable[str]) -> None:
        """Lock and load `payment_ids` (those not loaded yet) and their refunds."""
        wanted = {pid for pid in payment_ids if not self.rows.known(pid)}
        if not wanted:
            return
        query = select(payments).where(payments.c.id.in_(wanted)).with_for_update()
        for row in await self._session.execute(query):
            self.rows.loaded(payment_from(row))
        query = select(refunds).where(refunds.c.payment_id.in_(wanted))
        for row in await self._session.execute(query):
            if not self.refunds.known(row.id):
                self.refunds.loaded(refund_from(row))

    def get(self, payment_id: str) -> Payment | None:
        return self.rows.get(payment_id)

    def add(self, payment: Payment) -> None:
        self.rows.add(payment)

    async def flush(self) -> None:
        await self.rows.flush()
        await self.refunds.flush()


class SqlTimerSchedule:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._staged: list[Timer] = []

    def schedule(self, timer: Timer) -> None:
        self._staged.append(timer)

    async def flush(self) -> None:
        staged, self._staged = self._staged, []
        await durable.schedule(self._session, timers, staged)


class OrchestratorUnitOfWork(UnitOfWork):
    payments: SqlPaymentRepository
    refunds: _Rows[Refund]
    timers: SqlTimerSchedule

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.payments = SqlPaymentRepository(self.session)
        self.refunds = self.payments.refunds
        self.timers = SqlTimerSchedule(self.session)
        return self

    async def commit(self) -> None:
        await self.payments.flush()
        await self.timers.flush()
        await super().commit()
