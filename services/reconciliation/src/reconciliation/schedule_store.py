"""The daily schedule's rows: per provider, the next settlement date to run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reconciliation.tables import schedule


class SqlScheduleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ensure(self, providers: Sequence[str], first_date: date) -> None:
        """A row per provider; an existing row keeps its place (that is how a restart
        resumes where the schedule stopped)."""
        if not providers:
            return
        rows = [{"provider": p, "next_date": first_date} for p in sorted(providers)]
        await self._session.execute(insert(schedule).on_conflict_do_nothing(), rows)

    async def claim_due(self, providers: Sequence[str], before: date) -> list[tuple[str, date]]:
        """(provider, next date) of the due rows no other replica holds, locked for
        this transaction."""
        query = (
            select(schedule.c.provider, schedule.c.next_date)
            .where(schedule.c.provider.in_(providers), schedule.c.next_date < before)
            .order_by(schedule.c.provider)
            .with_for_update(skip_locked=True)
        )
        return [(p, d) for p, d in (await self._session.execute(query))]

    async def advance(self, provider: str, done: date) -> None:
        await self._session.execute(
            update(schedule)
            .where(schedule.c.provider == provider)
            .values(next_date=done + timedelta(days=1), updated_at=func.now())
        )
