"""The ledger view in Postgres, and reconciliation's unit of work (ledger, refunds and
late successes, API keys and inbox, one commit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Protocol, Self

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked
from payroute_common.topics import TopicSpec, topic_name
from payroute_common.uow import UnitOfWork, UnitOfWorkInterface
from reconciliation.access import KeyHolder
from reconciliation.issues.store import SqlIssueRepository
from reconciliation.key_store import SqlApiKeyRepository
from reconciliation.ledger import LedgerEntry
from reconciliation.movements import Movement
from reconciliation.reports.store import SqlReportRepository
from reconciliation.runs.store import SqlRunRepository
from reconciliation.schedule_store import SqlScheduleRepository
from reconciliation.settling import LateSuccessState, RefundState
from reconciliation.settling_store import SqlSettlingRepository
from reconciliation.tables import ledger_entries, ledger_movements

_UPDATED = [c.name for c in ledger_entries.columns if c.name not in {"payment_id", "captured_at"}]


class LedgerRepository(Protocol):
    async def upsert(self, entries: Sequence[LedgerEntry]) -> None: ...
    async def get(self, payment_id: str) -> LedgerEntry | None: ...
    async def record(self, movements: Sequence[Movement]) -> None: ...
    async def movements(self, payment_id: str) -> list[Movement]: ...


class ApiKeyRepository(Protocol):
    async def issued(self, key: ApiKeyIssued) -> None: ...
    async def revoked(self, key: ApiKeyRevoked) -> None: ...
    async def holder(self, key_hash: str) -> KeyHolder | None: ...


class SettlingRepository(Protocol):
    async def record_refunds(self, refunds: Sequence[RefundState]) -> None: ...
    async def record_late_successes(self, found: Sequence[LateSuccessState]) -> None: ...


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    @property
    def ledger(self) -> LedgerRepository: ...

    @property
    def settling(self) -> SettlingRepository: ...

    @property
    def api_keys(self) -> ApiKeyRepository: ...


class SqlLedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, entries: Sequence[LedgerEntry]) -> None:
        """One statement for the batch; a stored row changes only for a newer version."""
        if not entries:
            return
        # Sorted, so concurrent replicas lock rows in the same order.
        rows = [asdict(e) for e in sorted(entries, key=lambda e: e.payment_id)]
        statement = insert(ledger_entries)  # executemany: compiled once, cached
        excluded, current = statement.excluded, ledger_entries.c
        statement = statement.on_conflict_do_update(
            index_elements=[current.payment_id],
            set_={
                **{name: excluded[name] for name in _UPDATED},
                "captured_at": func.coalesce(current.captured_at, excluded.captured_at),
            },
            where=current.version < excluded.version,
        )
        await (await self._session.connection()).execute(statement, rows)

    async def get(self, payment_id: str) -> LedgerEntry | None:
        query = select(ledger_entries).where(ledger_entries.c.payment_id == payment_id)
        row = (await self._session.execute(query)).mappings().one_or_none()
        return LedgerEntry(**row) if row is not None else None

    async def record(self, movements: Sequence[Movement]) -> None:
        """One statement for the batch; a fact already recorded keeps its amount.

        A repeated fact can only move its time earlier (the capture snapshot
        arriving after a later one) and fill in fees not known before.
        """
        if not movements:
            return
        rows = [asdict(m) for m in sorted(movements, key=lambda m: m.key)]
        statement = insert(ledger_movements)
        excluded, current = statement.excluded, ledger_movements.c
        statement = statement.on_conflict_do_update(
            index_elements=[current.kind, current.source_id],
            set_={
                "occurred_at": func.least(current.occurred_at, excluded.occurred_at),
                "provider_fee": func.coalesce(current.provider_fee, excluded.provider_fee),
                "platform_fee": func.coalesce(current.platform_fee, excluded.platform_fee),
            },
            where=(excluded.occurred_at < current.occurred_at)
            | (current.provider_fee.is_(None) & excluded.provider_fee.is_not(None)),
        )
        await (await self._session.connection()).execute(statement, rows)

    async def movements(self, payment_id: str) -> list[Movement]:
        query = (
            select(ledger_movements)
            .where(ledger_movements.c.payment_id == payment_id)
            .order_by(ledger_movements.c.occurred_at, ledger_movements.c.source_id)
        )
        rows = (await self._session.execute(query)).mappings()
        return [Movement(**row) for row in rows]


class ReconciliationUnitOfWork(UnitOfWork):
    ledger: SqlLedgerRepository
    api_keys: SqlApiKeyRepository
    settling: SqlSettlingRepository
    reports: SqlReportRepository
    runs: SqlRunRepository
    issues: SqlIssueRepository
    schedule: SqlScheduleRepository

    def topic(self, spec: TopicSpec) -> str:
        """The topic's name in this environment (for events staged in SQL)."""
        return topic_name(spec, self._topic_prefix)

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.ledger = SqlLedgerRepository(self.session)
        self.settling = SqlSettlingRepository(self.session)
        self.reports = SqlReportRepository(self.session)
        self.runs = SqlRunRepository(self.session)
        self.issues = SqlIssueRepository(self.session)
        self.schedule = SqlScheduleRepository(self.session)
        self.api_keys = SqlApiKeyRepository(self.session)
        return self
