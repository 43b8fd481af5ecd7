"""Reconciliation events as metrics: runs and lines counted once per run, the open-issues
gauge per class as opened minus closed, whatever the order and however often delivered."""

from datetime import date

from prometheus_client import generate_latest

from metrics_exporter.cache import CounterCache
from metrics_exporter.collector import registry_for
from metrics_exporter.handlers import refresh_cache
from metrics_exporter.metrics import RECONCILIATION_ISSUES_OPEN, gauge_key, labels_key
from payroute_common.messages import (
    ReconciliationIssueOpened,
    ReconciliationIssueResolved,
    ReconciliationRunCompleted,
)
from payroute_common.messages.reconciliation_events import IssueClass, IssueStatus

from .fakes import FakeTables, FakeUnitOfWork, handle_batch, with_ids


def run(run_id: str = "run_1", provider: str = "stripe") -> ReconciliationRunCompleted:
    return ReconciliationRunCompleted(
        run_id=run_id,
        provider=provider,
        settlement_date=date(2026, 11, 27),
        report_id="rpt_1",
        counts={"matched": 7, "amount_mismatch": 1, "duplicate": 2, "fee_mismatch": 0},
        lines=10,
        line_errors=0,
        duration_ms=120,
        open_issues={"amount_mismatch": 1, "duplicate": 2},
    )


def opened(issue_id: str, issue_class: IssueClass = "amount_mismatch") -> ReconciliationIssueOpened:
    return ReconciliationIssueOpened(
        issue_id=issue_id, run_id="run_1", issue_class=issue_class, provider="stripe"
    )


def closed(
    issue_id: str,
    issue_class: IssueClass = "amount_mismatch",
    status: IssueStatus = "resolved",
) -> ReconciliationIssueResolved:
    return ReconciliationIssueResolved(
        issue_id=issue_id,
        run_id="run_1",
        issue_class=issue_class,
        provider="stripe",
        status=status,
    )


def open_count(cache: CounterCache, issue_class: str) -> int:
    return cache.gauges().get(gauge_key(RECONCILIATION_ISSUES_OPEN, **{"class": issue_class}), 0)


RUNS = ("payroute_reconciliation_runs_total", '{"provider":"stripe","status":"completed"}')


def lines(issue_class: str) -> tuple[str, str]:
    return (
        "payroute_reconciliation_lines_total",
        labels_key({"class": issue_class, "provider": "stripe"}),
    )


async def test_a_completed_run_counts_once_with_its_lines_per_class() -> None:
    tables, cache = FakeTables(), CounterCache()
    event = with_ids(run())
    await handle_batch(event, uow=FakeUnitOfWork(tables), cache=cache)
    await handle_batch(event, uow=FakeUnitOfWork(tables), cache=cache)  # redelivered
    await handle_batch(with_ids(run()), uow=FakeUnitOfWork(tables), cache=cache)  # republished
    await handle_batch(with_ids(run("run_2")), uow=FakeUnitOfWork(tables), cache=cache)

    assert tables.counters[RUNS] == 2
    assert tables.counters[lines("matched")] == 14
    assert tables.counters[lines("duplicate")] == 4
    assert lines("fee_mismatch") not in tables.counters
    assert cache.snapshot() == tables.counters


async def test_open_issues_are_opened_minus_closed_per_class() -> None:
    tables, cache = FakeTables(), CounterCache()
    events = with_ids(opened("iss_1"), opened("iss_2"), opened("iss_3", "duplicate"))
    await handle_batch(events, uow=FakeUnitOfWork(tables), cache=cache)
    await handle_batch(events[:1], uow=FakeUnitOfWork(tables), cache=cache)  # redelivered
    assert (open_count(cache, "amount_mismatch"), open_count(cache, "duplicate")) == (2, 1)

    await handle_batch(with_ids(closed("iss_1")), uow=FakeUnitOfWork(tables), cache=cache)
    await handle_batch(
        with_ids(closed("iss_3", "duplicate", "auto_resolved")),
        uow=FakeUnitOfWork(tables),
        cache=cache,
    )

    assert (open_count(cache, "amount_mismatch"), open_count(cache, "duplicate")) == (1, 0)


async def test_a_close_that_arrives_before_its_open_still_leaves_it_closed() -> None:
    tables, cache = FakeTables(), CounterCache()
    await handle_batch(with_ids(closed("iss_9")), uow=FakeUnitOfWork(tables), cache=cache)
    await handle_batch(with_ids(opened("iss_9")), uow=FakeUnitOfWork(tables), cache=cache)
    await handle_batch(
        with_ids(opened("iss_8"), closed("iss_8")), uow=FakeUnitOfWork(tables), cache=cache
    )

    assert open_count(cache, "amount_mismatch") == 0


async def test_the_gauge_is_read_back_after_a_restart_with_zeros_for_quiet_classes() -> None:
    tables = FakeTables()
    await handle_batch(
        with_ids(opened("iss_1", "missing_in_provider")),
        uow=FakeUnitOfWork(tables),
        cache=CounterCache(),
    )
    restarted = CounterCache()
    await refresh_cache(restarted, uow=FakeUnitOfWork(tables))

    text = generate_latest(registry_for(restarted)).decode()
    assert "# TYPE payroute_reconciliation_issues_open gauge" in text
    assert 'payroute_reconciliation_issues_open{class="missing_in_provider"} 1.0' in text
    assert 'payroute_reconciliation_issues_open{class="duplicate"} 0.0' in text
    assert "payroute_pending_verifications 0.0" in text
