"""Persistence of the orchestrator's aggregates, and its unit of work.

A batch of messages is handled in one transaction: `load` fetches (and
row-locks) every payment the batch touches, with their refunds, in two
queries; handlers work on the in-memory aggregates; `commit` writes back the
new and changed ones (changed = its row differs from the one loaded) and the
timers scheduled meanwhile. Refund rows change only under their payment's lock.

Provider news without a payment id names a provider reference instead: `resolve`
finds (without locking) the payments such references belong to, so that `load`
locks them together with the rest, in one statement and one order. News keyed by
reference may race the payment's own messages on another partition; the row lock
taken by `load` serializes them, and each transaction reads the committed state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Generic, Protocol, Self, TypeVar

from sqlalchemy import Table, bindparam, or_, select, tuple_, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.conditions import ConditionsCache, SqlProviderConditions
from orchestrator.domain import Payment, Refund
from orchestrator.routing import Conditions
from orchestrator.rows import payment_from, payment_row, refund_from, refund_row
from orchestrator.tables import payments, refunds, timers
from payroute_common import timers as durable
from payroute_common.messages import ProviderHealthChanged
from payroute_common.timers import Timer
from payroute_common.uow import UnitOfWork, UnitOfWorkInterface

A = TypeVar("A")
Reference = tuple[str, str]  # (provider, provider reference)


class PaymentRepository(Protocol):
    async def load(self, payment_ids: Iterable[str]) -> None: ...
    async def resolve(self, references: Iterable[Reference]) -> set[str]: ...
    def get(self, payment_id: str) -> Payment | None: ...
    def by_reference(self, provider: str, reference: str) -> Payment | None: ...
    def add(self, payment: Payment) -> None: ...


class RefundRepository(Protocol):
    def get(self, refund_id: str) -> Refund | None: ...
    def of_payment(self, payment_id: str) -> list[Refund]: ...
    def add(self, refund: Refund) -> None: ...


class TimerSchedule(Protocol):
    def schedule(self, timer: Timer) -> None: ...


class ProviderConditions(Protocol):
    async def conditions(self, now: datetime) -> Conditions: ...
    def record_result(self, provider: str, succeeded: bool, at: datetime) -> None: ...
    def record_health(self, report: ProviderHealthChanged) -> None: ...


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    """What handlers need: repositories, timers, and a way to publish (via the outbox)."""

    @property
    def payments(self) -> PaymentRepository: ...
    @property
    def refunds(self) -> RefundRepository: ...
    @property
    def timers(self) -> TimerSchedule: ...
    @property
    def providers(self) -> ProviderConditions: ...


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

    def all(self) -> list[A]:
        return [*(a for a, _ in self._loaded.values()), *self._new.values()]

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


class RefundRows(_Rows[Refund]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, refunds, lambda r: r.refund_id, refund_row)

    def of_payment(self, payment_id: str) -> list[Refund]:
        return [r for r in self.all() if r.payment_id == payment_id]


class SqlPaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.rows = _Rows[Payment](session, payments, lambda p: p.payment_id, payment_row)
        self.refunds = RefundRows(session)
        self._references: dict[Reference, str] = {}

    async def resolve(self, references: Iterable[Reference]) -> set[str]:
        """Ids of the payments `references` belong to: as the payment's own reference,
        a refund's, or an attempt's. References of nothing known are left out."""
        asked = set(references)
        wanted = asked - self._references.keys()
        if wanted:
            pairs = list(wanted)
            p, r = payments, refunds
            own = select(p.c.provider, p.c.provider_reference, p.c.id).where(
                tuple_(p.c.provider, p.c.provider_reference).in_(pairs)
            )
            of_refund = select(r.c.provider, r.c.provider_reference, r.c.payment_id).where(
                tuple_(r.c.provider, r.c.provider_reference).in_(pairs)
            )
            for provider, reference, payment_id in await self._session.execute(
                union_all(own, of_refund)
            ):
                self._references[(provider, reference)] = payment_id
            await self._resolve_attempts(wanted - self._references.keys())
        return {self._references[r] for r in asked if r in self._references}

    async def _resolve_attempts(self, wanted: set[Reference]) -> None:
        if not wanted:
            return
        pairs = sorted(wanted)
        matches = [
            payments.c.attempts.contains([{"provider": provider, "provider_reference": ref}])
            for provider, ref in pairs
        ]
        query = select(payments.c.id, payments.c.attempts).where(or_(*matches))
        for payment_id, attempts in await self._session.execute(query):
            for attempt in attempts:
                key = (attempt.get("provider"), attempt.get("provider_reference"))
                if key in wanted:
                    self._references[key] = payment_id

    def by_reference(self, provider: str, reference: str) -> Payment | None:
        """The loaded payment a reference belongs to (resolved, or learnt in this batch)."""
        payment_id = self._references.get((provider, reference))
        if payment_id is not None:
            return self.rows.get(payment_id)
        for refund in self.refunds.all():
            if (refund.provider, refund.provider_reference) == (provider, reference):
                return self.rows.get(refund.payment_id)
        return next((p for p in self.rows.all() if p.has_reference(provider, reference)), None)

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
    refunds: RefundRows
    timers: SqlTimerSchedule
    providers: SqlProviderConditions

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        conditions: ConditionsCache,
        outbox_table: Table | None,
        inbox_table: Table | None,
        topic_prefix: str,
        after_commit: Callable[[], None],
    ) -> None:
        """`conditions`: provider conditions as last read, shared by the process's units
        of work."""
        super().__init__(
            sessions,
            outbox_table=outbox_table,
            inbox_table=inbox_table,
            topic_prefix=topic_prefix,
            after_commit=after_commit,
        )
        self._conditions = conditions

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.payments = SqlPaymentRepository(self.session)
        self.refunds = self.payments.refunds
        self.timers = SqlTimerSchedule(self.session)
        self.providers = SqlProviderConditions(self.session, self._conditions)
        return self

    async def commit(self) -> None:
        await self.payments.flush()
        await self.timers.flush()
        await self.providers.flush()
        await super().commit()
