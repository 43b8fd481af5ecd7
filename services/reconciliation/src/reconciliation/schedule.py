"""The daily schedule: each provider's settlement dates are reconciled in order, once.

Every tick (any replica): pick up reports from the watched directory, then claim
the due schedule rows with `FOR UPDATE SKIP LOCKED` (one replica per provider at a
time). A date is due once the day is over and today's `run_at` has passed (earlier
dates at once: a restart past its time catches up). For a due date with a report
covering it, the tick makes the run (unique per provider and date, so it is made
once even against a stale row) and moves the row to the next date; without a
report it waits, until `max_wait_days` have passed: then the date gets a failed
run saying no report came, and the schedule moves on. The runs are executed after
the claim commits; a run left `running` by a dead process is executed again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import structlog

from payroute_common.ids import new_id
from reconciliation.runs.create import run_values
from reconciliation.runs.execute import execute_run
from reconciliation.store import ReconciliationUnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SchedulePolicy:
    providers: tuple[str, ...]
    run_at: time  # UTC time of day after which yesterday is due
    max_wait_days: int
    stale_run_s: float

    def due_before(self, now: datetime) -> date:
        """Dates strictly before this are due."""
        today = now.astimezone(UTC).date()
        return today if now.astimezone(UTC).time() >= self.run_at else today - timedelta(days=1)


UnitOfWorkFactory = Callable[[], ReconciliationUnitOfWork]


async def start_schedule(policy: SchedulePolicy, now: datetime, *, uow: UnitOfWorkFactory) -> None:
    """Rows for new providers start with yesterday."""
    async with uow() as work:
        yesterday = now.astimezone(UTC).date() - timedelta(days=1)
        await work.schedule.ensure(policy.providers, yesterday)
        await work.commit()


async def run_due(policy: SchedulePolicy, now: datetime, *, uow: UnitOfWorkFactory) -> list[str]:
    """Make and execute the runs due now; the ids of the runs this call made."""
    made: list[str] = []
    while True:
        claimed = await _claim(policy, now, uow=uow)
        if not claimed:
            break
        made += claimed
        for run_id in claimed:
            await execute_run(run_id, uow=uow())
    async with uow() as work:
        stale = await work.runs.stale(policy.stale_run_s)
    for run_id in stale:
        await execute_run(run_id, uow=uow())
    return made


async def _claim(policy: SchedulePolicy, now: datetime, *, uow: UnitOfWorkFactory) -> list[str]:
    """One pass over the due rows: at most one date per provider."""
    made: list[str] = []
    today = now.astimezone(UTC).date()
    async with uow() as work:
        for provider, day in await work.schedule.claim_due(
            policy.providers, policy.due_before(now)
        ):
            report = await work.reports.latest_covering(provider, day)
            if report is not None:
                values = run_values(report, day, day, "schedule")
                if await work.runs.add(values):
                    made.append(str(values["id"]))
            elif (today - day).days > policy.max_wait_days:
                await work.runs.add(_no_report(provider, day))
                log.warning("reconciliation_report_missing", provider=provider, date=str(day))
            else:
                continue
            await work.schedule.advance(provider, day)
        await work.commit()
    return made


def _no_report(provider: str, day: date) -> dict[str, object]:
    message = f"no {provider} report covering {day.isoformat()} arrived"
    return {
        "id": new_id("run"),
        "provider": provider,
        "report_id": None,
        "period_start": day,
        "period_end": day,
        "trigger": "schedule",
        "status": "failed",
        "lines": 0,
        "errors": [{"line": None, "message": message}],
        "duration_ms": 0,
    }


def providers_or_all(configured: Sequence[str], known: Sequence[str]) -> tuple[str, ...]:
    return tuple(configured) if configured else tuple(sorted(known))
