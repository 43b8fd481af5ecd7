"""Durable counters and gauge state in Postgres, and metrics-exporter's unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, Self

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from metrics_exporter.metrics import (
    PENDING_VERIFICATION_OLDEST,
    PENDING_VERIFICATIONS,
    RECONCILIATION_ISSUES_OPEN,
    CounterKey,
    GaugeKey,
    gauge_key,
)
from metrics_exporter.reconciliation import IssueState
from metrics_exporter.rules import PaymentStatus
from metrics_exporter.tables import (
    counted_outcomes,
    counters,
    payment_statuses,
    reconciliation_issues,
)
from payroute_common.uow import UnitOfWork, UnitOfWorkInterface


class CounterRepository(Protocol):
    async def load_all(self) -> dict[CounterKey, int]: ...
    async def add(self, deltas: Mapping[CounterKey, int]) -> None: ...

    async def claim_once(self, keys: Iterable[str]) -> set[str]:
        """Mark `keys` counted; returns those not counted before."""


class GaugeRepository(Protocol):
    async def track(self, statuses: Sequence[PaymentStatus]) -> None:
        """Keep each payment's status, unless a newer version is kept already; a
        newer version in the same status keeps the moment the status was entered."""

    async def track_issues(self, issues: Sequence[IssueState]) -> None:
        """Keep each reconciliation issue; a closed one stays closed."""

    async def read(self) -> dict[GaugeKey, int]:
        """Every gauge series' current value (series at zero may be absent)."""


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    @property
    def counters(self) -> CounterRepository: ...

    @property
    def gauges(self) -> GaugeRepository: ...

    def when_committed(self, action: Callable[[], None]) -> None:
        """Run `action` once this transaction has committed; never if it does not."""


class SqlCounterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load_all(self) -> dict[CounterKey, int]:
        rows = await self._session.execute(
            select(counters.c.name, counters.c.labels, counters.c.value)
        )
        return {(name, labels): value for name, labels, value in rows}

    async def add(self, deltas: Mapping[CounterKey, int]) -> None:
        """One statement for the batch; sorted, so replicas lock rows in the same order."""
        if not deltas:
            return
        rows = [
            {"name": name, "labels": labels, "value": value}
            for (name, labels), value in sorted(deltas.items())
        ]
        statement = insert(counters)  # executemany: compiled once, cached
        statement = statement.on_conflict_do_update(
            index_elements=[counters.c.name, counters.c.labels],
            set_={"value": counters.c.value + statement.excluded.value},
        )
        await (await self._session.connection()).execute(statement, rows)

    async def claim_once(self, keys: Iterable[str]) -> set[str]:
        wanted = sorted(set(keys))
        if not wanted:
            return set()
        statement = (
            insert(counted_outcomes).on_conflict_do_nothing().returning(counted_outcomes.c.key)
        )
        rows = [{"key": key} for key in wanted]
        return set((await (await self._session.connection()).execute(statement, rows)).scalars())


class SqlGaugeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def track(self, statuses: Sequence[PaymentStatus]) -> None:
        """One statement for the batch; sorted, so replicas lock rows in the same order."""
        if not statuses:
            return
        rows = [
            {"payment_id": s.payment_id, "status": s.status, "version": s.version, "since": s.since}
            for s in sorted(statuses, key=lambda s: s.payment_id)
        ]
        statement = insert(payment_statuses)
        excluded, current = statement.excluded, payment_statuses.c
        entered = case((current.status == excluded.status, current.since), else_=excluded.since)
        statement = statement.on_conflict_do_update(
            index_elements=[current.payment_id],
            set_={"status": excluded.status, "version": excluded.version, "since": entered},
            where=current.version < excluded.version,
        )
        await (await self._session.connection()).execute(statement, rows)

    async def track_issues(self, issues: Sequence[IssueState]) -> None:
        """One statement for the batch; sorted, so replicas lock rows in the same order."""
        if not issues:
            return
        rows = [
            {"issue_id": i.issue_id, "issue_class": i.issue_class, "open": i.open}
            for i in sorted(issues, key=lambda i: i.issue_id)
        ]
        statement = insert(reconciliation_issues)
        excluded, current = statement.excluded, reconciliation_issues.c
        statement = statement.on_conflict_do_update(
            index_elements=[current.issue_id],
            set_={"open": excluded.open},
            where=current.open & ~excluded.open,
        )
        await (await self._session.connection()).execute(statement, rows)

    async def read(self) -> dict[GaugeKey, int]:
        statuses = payment_statuses.c
        pending, oldest = (
            await self._session.execute(
                select(func.count(), func.min(statuses.since)).where(
                    statuses.status == "pending_verification"
                )
            )
        ).one()
        issues = reconciliation_issues.c
        open_by_class = await self._session.execute(
            select(issues.issue_class, func.count()).where(issues.open).group_by(issues.issue_class)
        )
        values = {gauge_key(PENDING_VERIFICATIONS): pending or 0}
        if oldest is not None:
            values[gauge_key(PENDING_VERIFICATION_OLDEST)] = unix_ms(oldest)
        for issue_class, count in open_by_class:
            values[gauge_key(RECONCILIATION_ISSUES_OPEN, **{"class": issue_class})] = count
        return values


def unix_ms(moment: datetime) -> int:
    """An `age` gauge's kept value (metrics.GaugeDef)."""
    return round(moment.timestamp() * 1000)


class MetricsUnitOfWork(UnitOfWork):
    counters: SqlCounterRepository
    gauges: SqlGaugeRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.counters = SqlCounterRepository(self.session)
        self.gauges = SqlGaugeRepository(self.session)
        self._when_committed: list[Callable[[], None]] = []
        return self

    def when_committed(self, action: Callable[[], None]) -> None:
        self._when_committed.append(action)

    async def commit(self) -> None:
        await super().commit()
        actions, self._when_committed = self._when_committed, []
        for action in actions:
            action()
