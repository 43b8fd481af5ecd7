"""The daily schedule: one run per provider and day however many replicas tick, days
missed while down caught up, a missing report waited for; and the watched directory."""

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from reconciliation.schedule import SchedulePolicy, run_due, start_schedule
from reconciliation.tables import reports, runs
from reconciliation.watch import ingest_dropped

from .conftest import HEADER, Service, start_service, stripe_line

pytestmark = pytest.mark.integration

NOW = datetime(2031, 3, 10, 3, 0, tzinfo=UTC)  # after the 02:00 run time
POLICY = SchedulePolicy(("stripe",), time(2, 0), max_wait_days=3, stale_run_s=900)


def report_for(day: date) -> str:
    at = f"{day.isoformat()} 12:00:00"
    return HEADER + stripe_line(f"txn_{day:%Y%m%d}", f"pi_{day:%Y%m%d}", "1.00", at=at)


async def drop(service: Service, tmp: Path, days: list[date]) -> None:
    for day in days:
        (tmp / f"stripe_{day.isoformat()}.csv").write_text(report_for(day))
    ingested = await ingest_dropped(tmp, {"stripe"}, limit=1 << 20, uow=service.unit_of_work)
    assert len(ingested) == len(days)


async def scheduled_runs(service: Service) -> list[tuple[date, str]]:
    query = select(runs.c.period_start, runs.c.status).where(runs.c.trigger == "schedule")
    async with service.runtime.engine.connect() as connection:
        return sorted((d, s) for d, s in (await connection.execute(query)))


@pytest.fixture
async def two_replicas(fresh_database: Callable[[], Any]) -> Any:
    url = await fresh_database()
    replicas = [await start_service(url), await start_service(url)]
    yield replicas
    for replica in replicas:
        await replica.runtime.engine.dispose()


async def test_two_replicas_run_each_day_once_and_catch_up(
    two_replicas: list[Service], tmp_path: Path
) -> None:
    first, second = two_replicas
    await start_schedule(POLICY, NOW - timedelta(days=3), uow=first.unit_of_work)  # then down
    await start_schedule(POLICY, NOW, uow=second.unit_of_work)
    days = [date(2031, 3, 6), date(2031, 3, 7), date(2031, 3, 8), date(2031, 3, 9)]
    await drop(first, tmp_path, days)

    made = await asyncio.gather(
        run_due(POLICY, NOW, uow=first.unit_of_work),
        run_due(POLICY, NOW, uow=second.unit_of_work),
    )

    assert sorted(made[0] + made[1]) == sorted(set(made[0] + made[1]))
    assert await scheduled_runs(first) == [(d, "completed") for d in days]
    assert await run_due(POLICY, NOW + timedelta(hours=1), uow=first.unit_of_work) == []


async def test_a_missing_report_is_waited_for_then_recorded(two_replicas: list[Service]) -> None:
    service = two_replicas[0]
    await start_schedule(POLICY, NOW, uow=service.unit_of_work)

    assert await run_due(POLICY, NOW, uow=service.unit_of_work) == []
    assert await scheduled_runs(service) == []
    later = NOW + timedelta(days=POLICY.max_wait_days + 1)
    await run_due(POLICY, later, uow=service.unit_of_work)
    assert (date(2031, 3, 9), "failed") in await scheduled_runs(service)


async def test_dropped_files_are_ingested_and_moved(
    two_replicas: list[Service], tmp_path: Path
) -> None:
    service = two_replicas[0]
    (tmp_path / "stripe_2031-03-01.csv").write_text(report_for(date(2031, 3, 1)))
    (tmp_path / "stripe_broken.csv").write_text("nothing,useful\n")
    (tmp_path / "unknown_2031-03-01.csv").write_text(report_for(date(2031, 3, 1)))

    done = await ingest_dropped(tmp_path, {"stripe"}, limit=1 << 20, uow=service.unit_of_work)

    assert [d.report.period_start for d in done] == [date(2031, 3, 1)]
    assert (tmp_path / "done" / "stripe_2031-03-01.csv").exists()
    assert (tmp_path / "failed" / "stripe_broken.csv").exists()
    assert "reporting_category" in (tmp_path / "failed" / "stripe_broken.csv.error").read_text()
    assert (tmp_path / "unknown_2031-03-01.csv").exists()  # not a provider's: left alone
    async with service.runtime.engine.connect() as connection:
        sources = (await connection.execute(select(reports.c.source))).scalars().all()
    assert sources == ["directory"]
