"""Reports and their lines in Postgres. Lines go in with COPY on the session's own
connection, so they commit (or vanish) with the report row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reconciliation.reports.lines import LineError, ReportLine
from reconciliation.tables import report_lines, reports

LINE_COLUMNS = tuple(c.name for c in report_lines.columns)


@dataclass(frozen=True)
class StoredReport:
    id: str
    provider: str
    lines: int
    error_count: int
    errors: list[LineError]
    period_start: date | None
    period_end: date | None


def line_record(report_id: str, line: ReportLine) -> tuple[Any, ...]:
    return (
        report_id,
        line.line_no,
        line.movement_id,
        line.reference,
        line.kind,
        line.amount,
        line.fee,
        line.currency,
        line.occurred_at,
        line.status,
        line.payment_id,
    )


class SqlReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, provider: str, sha256: str) -> StoredReport | None:
        query = select(reports).where(
            reports.c.provider == provider, reports.c.content_sha256 == sha256
        )
        row = (await self._session.execute(query)).mappings().one_or_none()
        return _stored(row) if row is not None else None

    async def get(self, report_id: str) -> StoredReport | None:
        query = select(reports).where(reports.c.id == report_id)
        row = (await self._session.execute(query)).mappings().one_or_none()
        return _stored(row) if row is not None else None

    async def latest_covering(self, provider: str, day: date) -> StoredReport | None:
        """The newest report of `provider` whose period includes `day`."""
        query = (
            select(reports)
            .where(
                reports.c.provider == provider,
                reports.c.period_start <= day,
                reports.c.period_end >= day,
            )
            .order_by(reports.c.created_at.desc(), reports.c.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).mappings().one_or_none()
        return _stored(row) if row is not None else None

    async def create(self, values: dict[str, Any]) -> bool:
        """Insert the report row; False when the same bytes are already a report."""
        statement = (
            insert(reports).values(**values).on_conflict_do_nothing().returning(reports.c.id)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None

    async def copy_lines(self, records: Sequence[tuple[Any, ...]]) -> None:
        connection = await self._session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None  # a pooled, checked-out connection
        await driver.copy_records_to_table(report_lines.name, records=records, columns=LINE_COLUMNS)

    async def finish(self, report_id: str, summary: dict[str, Any]) -> None:
        await self._session.execute(
            update(reports).where(reports.c.id == report_id).values(**summary)
        )


def _stored(row: Any) -> StoredReport:
    errors = row["errors"]
    if isinstance(errors, str):
        errors = json.loads(errors)
    return StoredReport(
        id=row["id"],
        provider=row["provider"],
        lines=row["lines"],
        error_count=row["error_count"],
        errors=[LineError(e["line"], e["message"]) for e in errors],
        period_start=row["period_start"],
        period_end=row["period_end"],
    )
