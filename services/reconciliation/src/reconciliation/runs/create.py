"""Making a run: for a report (its whole period) or for a provider and settlement date
(the newest report of that provider covering the date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from payroute_common.ids import new_id
from reconciliation.reports.store import StoredReport


class RunError(ValueError):
    status = 400
    code = "invalid_request"


class ReportNotFound(RunError):
    status = 404
    code = "resource_missing"


class ReportHasNoPeriod(RunError):
    code = "report_without_period"


@dataclass(frozen=True)
class RunRequest:
    report_id: str | None = None
    provider: str | None = None
    settlement_date: date | None = None


class ReportLookup(Protocol):
    async def get(self, report_id: str) -> StoredReport | None: ...
    async def latest_covering(self, provider: str, day: date) -> StoredReport | None: ...


class RunWriter(Protocol):
    async def add(self, values: dict[str, Any]) -> bool: ...


class RunCreateUnitOfWork(Protocol):
    @property
    def reports(self) -> ReportLookup: ...

    @property
    def runs(self) -> RunWriter: ...

    async def commit(self) -> None: ...


async def report_for(request: RunRequest, reports: ReportLookup) -> StoredReport:
    if request.report_id is not None:
        report = await reports.get(request.report_id)
        if report is None:
            raise ReportNotFound(f"No report {request.report_id}.")
        return report
    assert request.provider is not None
    assert request.settlement_date is not None
    report = await reports.latest_covering(request.provider, request.settlement_date)
    if report is None:
        raise ReportNotFound(
            f"No {request.provider} report covers {request.settlement_date.isoformat()}; "
            "upload one first."
        )
    return report


def run_values(report: StoredReport, start: date, end: date, trigger: str) -> dict[str, Any]:
    return {
        "id": new_id("run"),
        "provider": report.provider,
        "report_id": report.id,
        "period_start": start,
        "period_end": end,
        "trigger": trigger,
        "status": "running",
        "lines": 0,
    }


async def create_run(request: RunRequest, *, uow: RunCreateUnitOfWork) -> str:
    """The new run's id, committed as `running` (execute.py does the work)."""
    report = await report_for(request, uow.reports)
    if request.settlement_date is not None:
        start = end = request.settlement_date
    elif report.period_start is not None and report.period_end is not None:
        start, end = report.period_start, report.period_end
    else:
        raise ReportHasNoPeriod(
            f"Report {report.id} has no lines and no settlement date; run it by provider and date."
        )
    values = run_values(report, start, end, "request")
    await uow.runs.add(values)
    await uow.commit()
    return str(values["id"])
