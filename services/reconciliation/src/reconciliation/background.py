"""What every replica does between requests: pick up dropped report files and run
the daily schedule (schedule.py), every `schedule_poll_s`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from sqlalchemy.exc import SQLAlchemyError

from payroute_common.clock import utcnow
from reconciliation.config import Settings
from reconciliation.reports.formats import FORMATS
from reconciliation.schedule import SchedulePolicy, providers_or_all, run_due, start_schedule
from reconciliation.store import ReconciliationUnitOfWork
from reconciliation.watch import ingest_dropped

log = structlog.get_logger(__name__)


def policy_of(settings: Settings) -> SchedulePolicy:
    return SchedulePolicy(
        providers=providers_or_all(settings.schedule_providers, list(FORMATS)),
        run_at=settings.schedule_run_at,
        max_wait_days=settings.schedule_max_wait_days,
        stale_run_s=settings.stale_run_s,
    )


async def tick(settings: Settings, uow: Callable[[], ReconciliationUnitOfWork]) -> None:
    if settings.watch_dir is not None:
        await ingest_dropped(
            settings.watch_dir, set(FORMATS), limit=settings.max_report_bytes, uow=uow
        )
    if settings.schedule_enabled:
        await run_due(policy_of(settings), utcnow(), uow=uow)


async def keep_schedule(settings: Settings, uow: Callable[[], ReconciliationUnitOfWork]) -> None:
    """Forever: a tick, then a pause. A failed tick is logged and tried again."""
    started = False
    while True:
        try:
            if settings.schedule_enabled and not started:
                await start_schedule(policy_of(settings), utcnow(), uow=uow)
                started = True
            await tick(settings, uow)
        except (SQLAlchemyError, OSError):
            log.exception("reconciliation_tick_failed")
        await asyncio.sleep(settings.schedule_poll_s)
