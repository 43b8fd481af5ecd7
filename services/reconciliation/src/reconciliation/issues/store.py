"""Reading and resolving issues. Pages are newest first; `starting_after` is the id
of the last issue of the previous page (ids sort by creation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reconciliation.tables import issues


@dataclass(frozen=True)
class IssueFilters:
    issue_class: str | None = None
    status: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class Issue:
    id: str
    run_id: str
    issue_class: str
    provider: str
    kind: str
    reference: str
    payment_id: str | None
    line_no: int | None
    expected: dict[str, Any] | None
    actual: dict[str, Any] | None
    note: str | None
    status: str
    resolution_note: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    created_at: datetime


def _issue(row: Any) -> Issue:
    values = dict(row)
    values["issue_class"] = values.pop("class")
    return Issue(**values)


class SqlIssueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list(
        self, filters: IssueFilters, limit: int, starting_after: str | None
    ) -> list[Issue]:
        c = issues.c
        query = select(issues).order_by(c.id.desc()).limit(limit)
        if filters.issue_class is not None:
            query = query.where(c["class"] == filters.issue_class)
        if filters.status is not None:
            query = query.where(c.status == filters.status)
        if filters.run_id is not None:
            query = query.where(c.run_id == filters.run_id)
        if starting_after is not None:
            query = query.where(c.id < starting_after)
        rows = (await self._session.execute(query)).mappings()
        return [_issue(row) for row in rows]

    async def get(self, issue_id: str, *, for_update: bool = False) -> Issue | None:
        query = select(issues).where(issues.c.id == issue_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().one_or_none()
        return _issue(row) if row is not None else None

    async def resolve(self, issue_id: str, note: str, resolved_by: str) -> None:
        await self._session.execute(
            update(issues)
            .where(issues.c.id == issue_id)
            .values(
                status="resolved",
                resolution_note=note,
                resolved_by=resolved_by,
                resolved_at=func.now(),
            )
        )

    async def open_counts(self) -> dict[str, int]:
        query = (
            select(issues.c["class"], func.count())
            .where(issues.c.status == "open")
            .group_by(issues.c["class"])
        )
        rows = await self._session.execute(query)
        return {name: int(count) for name, count in rows}
