"""The edges' small rules: `Prefer: wait`, the two ways to ask for a run, the
schedule's due dates and which dropped files are whose."""

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from pydantic import ValidationError

from reconciliation.api.runs import RunIn, requested_wait
from reconciliation.schedule import SchedulePolicy
from reconciliation.watch import dropped_files


@pytest.mark.parametrize(
    ("header", "seconds"),
    [(None, 0.0), ("wait=5", 5.0), ("respond-async, wait=600", 60.0), ("wait=x", 0.0),
     ("wait=nan", 0.0), ("wait=-1", 0.0)],
)  # fmt: skip
def test_prefer_wait(header: str | None, seconds: float) -> None:
    assert requested_wait(header) == seconds


def test_a_run_is_asked_for_by_report_or_by_provider_and_date() -> None:
    assert RunIn.model_validate({"report_id": "rpt_1"}).report_id == "rpt_1"
    by_day = RunIn.model_validate({"provider": "stripe", "date": "2026-12-01"})
    assert by_day.settlement_date == date(2026, 12, 1)
    for wrong in ({}, {"provider": "stripe"}, {"report_id": "r", "provider": "stripe"}):
        with pytest.raises(ValidationError):
            RunIn.model_validate(wrong)


def test_yesterday_is_due_after_the_run_time() -> None:
    policy = SchedulePolicy(("stripe",), time(2, 0), max_wait_days=3, stale_run_s=60)
    assert policy.due_before(datetime(2026, 12, 2, 1, 59, tzinfo=UTC)) == date(2026, 12, 1)
    assert policy.due_before(datetime(2026, 12, 2, 2, 0, tzinfo=UTC)) == date(2026, 12, 2)


def test_dropped_files_are_named_for_their_provider(tmp_path: Path) -> None:
    (tmp_path / "stripe").mkdir()
    (tmp_path / "stripe" / "report.csv").write_text("x")
    (tmp_path / "paymongo-2026-12-01.csv").write_text("x")
    (tmp_path / "notes.csv").write_text("x")

    found = {
        (d.path.name, d.provider, d.settlement_date)
        for d in dropped_files(tmp_path, {"stripe", "paymongo"})
    }

    assert found == {
        ("report.csv", "stripe", None),
        ("paymongo-2026-12-01.csv", "paymongo", date(2026, 12, 1)),
    }
