"""Executing a run: match, record issues (with their events, issues/record.py),
complete the run and announce it, in one transaction under the run's row lock.
A run that fails is recorded as `failed` with why; one whose process died is
picked up again (schedule.py)."""

from __future__ import annotations

import time
from typing import Protocol

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from payroute_common.messages import ReconciliationRunCompleted
from payroute_common.topics import RECONCILIATION_EVENTS, TopicSpec
from payroute_common.uow import UnitOfWorkInterface
from reconciliation.events import publish
from reconciliation.issues.record import auto_resolve, open_issues
from reconciliation.matching.classes import NOT_RECONCILED
from reconciliation.matching.classify import Scope, classify
from reconciliation.reports.store import StoredReport
from reconciliation.runs.store import Run

log = structlog.get_logger(__name__)


class RunRepository(Protocol):
    async def claim(self, run_id: str) -> Run | None: ...
    async def finish(self, run_id: str, values: dict[str, object]) -> None: ...


class ReportReader(Protocol):
    async def get(self, report_id: str) -> StoredReport | None: ...


class OpenCounts(Protocol):
    async def open_counts(self) -> dict[str, int]: ...


class ExecuteUnitOfWork(UnitOfWorkInterface, Protocol):
    session: AsyncSession

    def topic(self, spec: TopicSpec) -> str: ...

    @property
    def runs(self) -> RunRepository: ...

    @property
    def reports(self) -> ReportReader: ...

    @property
    def issues(self) -> OpenCounts: ...


async def execute_run(run_id: str, *, uow: ExecuteUnitOfWork) -> bool:
    """True when this call executed the run; False when it was done or taken."""
    async with uow:
        run = await uow.runs.claim(run_id)
        if run is None:
            return False
        started = time.monotonic()
        report = await uow.reports.get(run.report_id) if run.report_id else None
        try:
            async with uow.session.begin_nested():
                await _match(run, report, uow=uow, started=started)
        except (SQLAlchemyError, LookupError) as error:
            log.exception("reconciliation_run_failed", run_id=run_id)
            await uow.runs.finish(
                run_id,
                {
                    "status": "failed",
                    "errors": [{"line": None, "message": f"run failed: {type(error).__name__}"}],
                    "duration_ms": _elapsed_ms(started),
                },
            )
        await uow.commit()
    return True


async def _match(
    run: Run, report: StoredReport | None, *, uow: ExecuteUnitOfWork, started: float
) -> None:
    if report is None:
        raise LookupError(f"report {run.report_id} is gone")
    session = uow.session
    scope = Scope(report.id, run.provider, run.period_start, run.period_end)
    classified = await classify(session, scope)
    counts = classified.counts
    topic = uow.topic(RECONCILIATION_EVENTS)
    opened = await open_issues(session, run.id, run.provider, topic=topic)
    resolved = await auto_resolve(session, run.id, run.provider, topic=topic)
    lines = sum(n for name, n in counts.items() if name != "missing_in_provider")
    duration_ms = _elapsed_ms(started)
    errors = [{"line": e.line_no, "message": e.message} for e in report.errors]
    await uow.runs.finish(
        run.id,
        {
            "status": "completed",
            "counts": counts,
            "explained": classified.explained,
            "lines": lines,
            "errors": errors,
            "duration_ms": duration_ms,
        },
    )
    open_counts = await uow.issues.open_counts()
    completed = ReconciliationRunCompleted(
        run_id=run.id,
        provider=run.provider,
        settlement_date=run.period_end,
        report_id=report.id,
        counts=counts,
        lines=lines,
        line_errors=report.error_count,
        duration_ms=duration_ms,
        open_issues=open_counts,
    )
    publish(uow, completed, run_id=run.id, subject=run.id)
    log.info(
        "reconciliation_run_completed",
        run_id=run.id,
        provider=run.provider,
        lines=lines,
        issues_opened=opened,
        issues_auto_resolved=resolved,
        not_reconciled=counts.get(NOT_RECONCILED, 0),
        duration_ms=duration_ms,
    )


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
