"""Refunds and late successes in Postgres: one upsert per batch, newest state wins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reconciliation.settling import LateSuccessState, RefundState
from reconciliation.tables import late_successes, ledger_refunds


class SqlSettlingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_refunds(self, refunds: Sequence[RefundState]) -> None:
        """A stored refund changes only for a newer state; `settled_at` is set once."""
        if not refunds:
            return
        rows = [asdict(r) for r in sorted(refunds, key=lambda r: r.refund_id)]
        statement = insert(ledger_refunds)
        excluded, current = statement.excluded, ledger_refunds.c
        statement = statement.on_conflict_do_update(
            index_elements=[current.refund_id],
            set_={
                "status": excluded.status,
                "provider": func.coalesce(excluded.provider, current.provider),
                "provider_reference": func.coalesce(
                    excluded.provider_reference, current.provider_reference
                ),
                "updated_at": excluded.updated_at,
                "settled_at": func.coalesce(current.settled_at, excluded.settled_at),
            },
            where=current.updated_at <= excluded.updated_at,
        )
        await (await self._session.connection()).execute(statement, rows)

    async def record_late_successes(self, found: Sequence[LateSuccessState]) -> None:
        """A reversal's outcome replaces `found`; an outcome is never taken back."""
        if not found:
            return
        rows = [asdict(f) for f in sorted(found, key=lambda f: f.attempt_id)]
        statement = insert(late_successes)
        excluded, current = statement.excluded, late_successes.c
        statement = statement.on_conflict_do_update(
            index_elements=[current.attempt_id],
            set_={"status": excluded.status},
            where=(current.status == "found") & (excluded.status != "found"),
        )
        await (await self._session.connection()).execute(statement, rows)
