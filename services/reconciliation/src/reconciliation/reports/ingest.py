"""Ingesting a settlement report: header checked, lines parsed as they are read and
loaded with COPY in batches, the whole report in one transaction.

Idempotent by content: the same bytes for the same provider are the same report
(its SHA-256 is unique per provider), found before any parsing; two uploads of the
same bytes at once meet on the unique key and the second answers with the first.
A refused report (unknown provider, empty, missing columns, too large) stores
nothing; unreadable lines are kept as errors and every other line is loaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from payroute_common.ids import new_id
from reconciliation.reports.errors import UnknownProvider
from reconciliation.reports.formats import FORMATS, ReportFormat
from reconciliation.reports.lines import LineError, ReportLine
from reconciliation.reports.reader import check_header, open_report
from reconciliation.reports.spool import Spooled
from reconciliation.reports.store import StoredReport, line_record

BATCH_LINES = 20_000
KEPT_ERRORS = 1_000


class ReportRepository(Protocol):
    async def find(self, provider: str, sha256: str) -> StoredReport | None: ...
    async def create(self, values: dict[str, Any]) -> bool: ...
    async def copy_lines(self, records: list[tuple[Any, ...]]) -> None: ...
    async def finish(self, report_id: str, summary: dict[str, Any]) -> None: ...


class ReportUnitOfWork(Protocol):
    @property
    def reports(self) -> ReportRepository: ...

    async def commit(self) -> None: ...


@dataclass(frozen=True)
class Ingested:
    report: StoredReport
    created: bool  # False: the same bytes were already this report


@dataclass
class _Tally:
    lines: int = 0
    error_count: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def __post_init__(self) -> None:
        self.errors: list[LineError] = []

    def error(self, error: LineError) -> None:
        self.error_count += 1
        if len(self.errors) < KEPT_ERRORS:
            self.errors.append(error)

    def line(self, line: ReportLine) -> None:
        self.lines += 1
        at = line.occurred_at
        if self.first is None or at < self.first:
            self.first = at
        if self.last is None or at > self.last:
            self.last = at

    def period(self) -> tuple[date | None, date | None]:
        """The UTC dates of the first and last lines."""
        first = self.first.astimezone(UTC).date() if self.first else None
        last = self.last.astimezone(UTC).date() if self.last else None
        return first, last


def report_format(provider: str) -> ReportFormat:
    try:
        return FORMATS[provider]
    except KeyError:
        raise UnknownProvider(provider, sorted(FORMATS)) from None


async def ingest(
    spooled: Spooled,
    provider: str,
    *,
    uow: ReportUnitOfWork,
    source: str,
    filename: str | None = None,
    settlement_date: date | None = None,
) -> Ingested:
    """Store the report in `spooled` once; `uow` must be entered by the caller."""
    parser = report_format(provider)
    check_header(spooled.path, parser)
    existing = await uow.reports.find(provider, spooled.sha256)
    if existing is not None:
        return Ingested(existing, created=False)
    report_id = new_id("rpt")
    values = {
        "id": report_id,
        "provider": provider,
        "content_sha256": spooled.sha256,
        "size_bytes": spooled.size,
        "source": source,
        "filename": filename,
    }
    if not await uow.reports.create(values):
        found = await uow.reports.find(provider, spooled.sha256)
        assert found is not None  # the unique key said it exists
        return Ingested(found, created=False)
    tally = await _load_lines(spooled, parser, report_id, uow.reports)
    period = (settlement_date, settlement_date) if settlement_date else tally.period()
    errors = sorted(tally.errors, key=lambda e: e.line_no)
    await uow.reports.finish(
        report_id,
        {
            "lines": tally.lines,
            "error_count": tally.error_count,
            "errors": [{"line": e.line_no, "message": e.message} for e in errors],
            "period_start": period[0],
            "period_end": period[1],
        },
    )
    await uow.commit()
    stored = StoredReport(
        report_id, provider, tally.lines, tally.error_count, errors, period[0], period[1]
    )
    return Ingested(stored, created=True)


async def _load_lines(
    spooled: Spooled, parser: ReportFormat, report_id: str, reports: ReportRepository
) -> _Tally:
    tally = _Tally()
    unreadable: list[LineError] = []
    with open_report(spooled.path, parser, unreadable) as rows:
        batches = _batches(parser.parse(rows), report_id, tally)
        # The next batch is parsed in a thread while Postgres loads this one (one
        # thread at a time advances the generator), and requests get the loop.
        upcoming = asyncio.create_task(asyncio.to_thread(next, batches, None))
        while (batch := await upcoming) is not None:
            upcoming = asyncio.create_task(asyncio.to_thread(next, batches, None))
            await reports.copy_lines(batch)
    for error in unreadable:
        tally.error(error)
    return tally


def _batches(
    parsed: Iterator[ReportLine | LineError], report_id: str, tally: _Tally
) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for item in parsed:
        if isinstance(item, LineError):
            tally.error(item)
            continue
        tally.line(item)
        batch.append(line_record(report_id, item))
        if len(batch) >= BATCH_LINES:
            yield batch
            batch = []
    if batch:
        yield batch
