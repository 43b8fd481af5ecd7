"""Runs in Postgres. A run is executed under its row's lock: a replica that finds it
locked leaves it to whoever holds it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from reconciliation.tables import runs


@dataclass(frozen=True)
class Run:
    id: str
    provider: str
    report_id: str | None
    period_start: date
    period_end: date
    trigger: str
    status: str
    counts: dict[str, int]
    explained: dict[str, int]
    lines: int
    errors: list[dict[str, Any]]
    duration_ms: int | None
    created_at: datetime
    completed_at: datetime | None


def _run(row: Any) -> Run:
    values = dict(row)
    for name in ("counts", "explained", "errors"):
        if isinstance(values[name], str):
            values[name] = json.loads(values[name])
    return Run(**values)


class SqlRunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: dict[str, Any]) -> bool:
        """Insert a run; False when the schedule already made this day's run."""
        statement = pg_insert(runs).values(**values).on_conflict_do_nothing()
        result = await self._session.execute(statement.returning(runs.c.id))
        return result.scalar_one_or_none() is not None

    async def get(self, run_id: str) -> Run | None:
        row = (
            (await self._session.execute(select(runs).where(runs.c.id == run_id)))
            .mappings()
            .one_or_none()
        )
        return _run(row) if row is not None else None

    async def claim(self, run_id: str) -> Run | None:
        """The running run, locked for this transaction; None if done or taken."""
        query = (
            select(runs)
            .where(runs.c.id == run_id, runs.c.status == "running")
            .with_for_update(skip_locked=True)
        )
        row = (await self._session.execute(query)).mappings().one_or_none()
        return _run(row) if row is not None else None

    async def finish(self, run_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(
            update(runs).where(runs.c.id == run_id).values(completed_at=func.now(), **values)
        )

    async def stale(self, older_than_s: float) -> list[str]:
        """Runs still `running` long after they were made: their process died."""
        query = select(runs.c.id).where(
            runs.c.status == "running",
            runs.c.created_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, older_than_s),
        )
        return list((await self._session.execute(query)).scalars())
