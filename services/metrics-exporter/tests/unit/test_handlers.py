from datetime import datetime, timedelta

import pytest
from prometheus_client import generate_latest

from metrics_exporter.cache import CounterCache
from metrics_exporter.collector import registry_for
from metrics_exporter.handlers import refresh_cache, tally
from metrics_exporter.metrics import (
    PAYMENTS,
    PENDING_VERIFICATIONS,
    Counted,
    Increment,
    gauge_key,
    increment,
)

from .events import (
    FEES,
    T0,
    captured,
    created,
    failed,
    manual,
    partially_captured,
    refund_event,
    webhook,
)
from .fakes import FakeTables, FakeUnitOfWork, handle_batch, with_ids

CAPTURED_LABELS = '{"currency":"PHP","method":"card","provider":"stripe","status":"captured"}'
CAPTURED_PHP = ("payroute_payments_total", CAPTURED_LABELS)
AMOUNT_PHP = ("payroute_payment_amount_minor_total", CAPTURED_LABELS)


def paid(status: str) -> Increment:
    return increment(PAYMENTS, 1, status=status, provider="s", method="card", currency="PHP")


def test_tally_sums_and_counts_a_once_key_once() -> None:
    one = Counted((paid("captured"),), "k")
    free = Counted((paid("failed"),))
    deltas = tally([one, one, free, free], first_time={"k"})
    assert sorted(deltas.values()) == [1, 2]


def test_tally_skips_keys_counted_before() -> None:
    one = Counted((paid("captured"),), "k")
    assert tally([one], first_time=set()) == {}


async def test_batch_updates_table_and_cache_alike() -> None:
    tables, cache = FakeTables(), CounterCache()
    events = with_ids(
        created("pay_1"), captured("pay_1"), captured("pay_2"), failed("pay_3"), webhook()
    )
    await handle_batch(events, uow=FakeUnitOfWork(tables), cache=cache)
    assert tables.counters[CAPTURED_PHP] == 2
    assert tables.counters[AMOUNT_PHP] == 2 * 10_050
    assert cache.snapshot() == tables.counters


async def test_redelivered_event_never_counts_twice() -> None:
    tables, cache = FakeTables(), CounterCache()
    events = with_ids(captured("pay_1"))
    await handle_batch(events, uow=FakeUnitOfWork(tables), cache=cache)
    await handle_batch(events + events, uow=FakeUnitOfWork(tables), cache=cache)
    assert tables.counters[CAPTURED_PHP] == 1
    assert cache.snapshot()[CAPTURED_PHP] == 1


async def test_same_event_twice_in_one_batch_counts_once() -> None:
    tables, cache = FakeTables(), CounterCache()
    event = with_ids(created("pay_1"))
    await handle_batch(event * 2, uow=FakeUnitOfWork(tables), cache=cache)
    assert list(tables.counters.values()) == [1]


async def test_a_payment_is_counted_once_per_terminal_status() -> None:
    tables, cache = FakeTables(), CounterCache()
    # Two different events announcing the same capture (e.g. result and webhook paths).
    await handle_batch(
        with_ids(captured("pay_1"), captured("pay_1")), uow=FakeUnitOfWork(tables), cache=cache
    )
    await handle_batch(with_ids(captured("pay_1")), uow=FakeUnitOfWork(tables), cache=cache)
    assert tables.counters[CAPTURED_PHP] == 1


async def test_cache_is_loaded_from_the_table_before_the_first_batch() -> None:
    tables = FakeTables()
    tables.counters[CAPTURED_PHP] = 41
    cache = CounterCache()
    await handle_batch(with_ids(captured("pay_new")), uow=FakeUnitOfWork(tables), cache=cache)
    assert cache.snapshot()[CAPTURED_PHP] == 42


async def test_failed_commit_leaves_the_cache_alone() -> None:
    tables, cache = FakeTables(), CounterCache()
    with pytest.raises(ConnectionResetError):
        await handle_batch(
            with_ids(captured("pay_1")), uow=FakeUnitOfWork(tables, fail_commit=True), cache=cache
        )
    assert tables.counters == {}
    assert cache.snapshot() == {}
    await handle_batch(with_ids(captured("pay_1")), uow=FakeUnitOfWork(tables), cache=cache)
    assert cache.snapshot()[CAPTURED_PHP] == 1


async def test_refresh_never_moves_a_counter_down() -> None:
    cache = CounterCache()
    cache.add({CAPTURED_PHP: 5})
    tables = FakeTables()
    tables.counters[CAPTURED_PHP] = 3
    tables.counters[AMOUNT_PHP] = 100  # another replica's count
    await refresh_cache(cache, uow=FakeUnitOfWork(tables))
    assert cache.snapshot() == {CAPTURED_PHP: 5, AMOUNT_PHP: 100}


async def test_exposition_has_every_counter_with_help_and_samples() -> None:
    tables, cache = FakeTables(), CounterCache()
    await handle_batch(
        with_ids(captured("pay_1"), webhook("failed")), uow=FakeUnitOfWork(tables), cache=cache
    )
    text = generate_latest(registry_for(cache)).decode()
    assert "# TYPE payroute_payments_total counter" in text
    labels = 'currency="PHP",method="card",provider="stripe",status="captured"'
    assert f"payroute_payments_total{{{labels}}} 1.0" in text
    assert f"payroute_payment_amount_minor_total{{{labels}}} 10050.0" in text
    assert "webhooks" not in text


def value(tables: FakeTables, name: str, labels: str) -> int:
    return tables.counters.get((name, labels), 0)


PENDING = gauge_key(PENDING_VERIFICATIONS)
OLDEST = "payroute_pending_verification_oldest_seconds"


async def test_partial_capture_then_two_partial_refunds() -> None:
    tables, cache = FakeTables(), CounterCache()
    batches = [
        [partially_captured()],
        [
            refund_event("re_1", 2_500, "pending", 0, 4),
            refund_event("re_1", 2_500, "succeeded", 2_500, 5),
        ],
        [refund_event("re_2", 2_000, "pending", 2_500, 6)],
        [refund_event("re_2", 2_000, "succeeded", 4_500, 7)],
    ]
    for batch in batches:
        await handle_batch(with_ids(*batch), uow=FakeUnitOfWork(tables), cache=cache)
    php = '{"currency":"PHP"}'
    refunds = '{"currency":"PHP","provider":"stripe","status":"%s"}'
    assert tables.counters[AMOUNT_PHP] == 6_000
    assert value(tables, "payroute_refund_amount_minor_total", php) == 4_500
    assert value(tables, "payroute_refunds_total", refunds % "succeeded") == 2
    assert value(tables, "payroute_refunds_total", refunds % "pending") == 2
    fees = '{"currency":"PHP","kind":"%s"}'
    assert value(tables, "payroute_fee_amount_minor_total", fees % "provider") == 204
    assert value(tables, "payroute_fee_amount_minor_total", fees % "platform") == 180
    partially = (
        '{"currency":"PHP","method":"card","provider":"stripe","status":"partially_refunded"}'
    )
    assert value(tables, "payroute_payments_total", partially) == 1
    assert cache.snapshot() == tables.counters


async def test_the_same_facts_in_other_events_or_late_count_nothing_more() -> None:
    tables, cache = FakeTables(), CounterCache()
    succeeded = refund_event("re_1", 2_500, "succeeded", 2_500, 5)
    await handle_batch(
        with_ids(succeeded, partially_captured()), uow=FakeUnitOfWork(tables), cache=cache
    )
    before = dict(tables.counters)
    # New event ids, the same facts; the older capture snapshot after the newer refund.
    await handle_batch(with_ids(succeeded), uow=FakeUnitOfWork(tables), cache=cache)
    await handle_batch(with_ids(partially_captured()), uow=FakeUnitOfWork(tables), cache=cache)
    assert tables.counters == before
    assert cache.snapshot() == before


async def test_failure_reasons_are_counted_by_code() -> None:
    tables, cache = FakeTables(), CounterCache()
    events = with_ids(failed("pay_1"), failed("pay_2", code="expired_card"), failed("pay_1"))
    await handle_batch(events, uow=FakeUnitOfWork(tables), cache=cache)
    name = "payroute_payment_failures_total"
    assert value(tables, name, '{"code":"card_declined","provider":"stripe"}') == 1
    assert value(tables, name, '{"code":"expired_card","provider":"stripe"}') == 1


async def test_pending_verifications_gauge_follows_the_newest_snapshot() -> None:
    tables, cache = FakeTables(), CounterCache()
    waiting = with_ids(
        manual("pay_a", "pending_verification", 2), manual("pay_b", "pending_verification", 2)
    )
    await handle_batch(waiting, uow=FakeUnitOfWork(tables), cache=cache)
    assert cache.gauges()[PENDING] == 2
    await handle_batch(
        with_ids(manual("pay_a", "captured", 3)), uow=FakeUnitOfWork(tables), cache=cache
    )
    assert cache.gauges()[PENDING] == 1
    # An older snapshot (a redelivery under a new id) after the newer one changes nothing.
    late = with_ids(manual("pay_a", "pending_verification", 2))
    await handle_batch(late, uow=FakeUnitOfWork(tables), cache=cache)
    assert cache.gauges()[PENDING] == 1
    # The newer one first, the older one later, in separate batches: never pending.
    await handle_batch(
        with_ids(manual("pay_c", "failed", 3)), uow=FakeUnitOfWork(tables), cache=cache
    )
    await handle_batch(
        with_ids(manual("pay_c", "pending_verification", 2)),
        uow=FakeUnitOfWork(tables),
        cache=cache,
    )
    assert cache.gauges()[PENDING] == 1


async def test_gauge_is_read_back_from_the_table_by_a_new_cache() -> None:
    tables = FakeTables()
    await handle_batch(
        with_ids(manual("pay_a", "pending_verification", 2)),
        uow=FakeUnitOfWork(tables),
        cache=CounterCache(),
    )
    restarted = CounterCache()
    await refresh_cache(restarted, uow=FakeUnitOfWork(tables))
    assert restarted.gauges()[PENDING] == 1
    text = generate_latest(registry_for(restarted)).decode()
    assert "# TYPE payroute_pending_verifications gauge" in text
    assert "payroute_pending_verifications 1.0" in text


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def oldest_shown(cache: CounterCache, now: datetime) -> str:
    text = generate_latest(registry_for(cache, clock=now.timestamp)).decode()
    [line] = [x for x in text.splitlines() if x.startswith(OLDEST + " ")]
    return line.removeprefix(OLDEST + " ")


async def test_oldest_waiting_payment_is_its_age_at_each_scrape() -> None:
    tables, cache = FakeTables(), CounterCache()
    assert oldest_shown(cache, at(0)) == "0.0"  # nothing waits
    waiting = with_ids(
        manual("pay_a", "pending_verification", 2, updated_at=at(10)),
        manual("pay_b", "pending_verification", 2, updated_at=at(40)),
    )
    await handle_batch(waiting, uow=FakeUnitOfWork(tables), cache=cache)
    assert oldest_shown(cache, at(70)) == "60.0"
    assert oldest_shown(cache, at(100)) == "90.0"  # no new batch: the scrape ages it
    # A newer version in the same status keeps the moment the payment entered it.
    again = manual("pay_a", "pending_verification", 3, updated_at=at(50))
    await handle_batch(with_ids(again), uow=FakeUnitOfWork(tables), cache=cache)
    assert oldest_shown(cache, at(100)) == "90.0"
    decided = manual("pay_a", "captured", 4, updated_at=at(90))
    await handle_batch(with_ids(decided), uow=FakeUnitOfWork(tables), cache=cache)
    assert oldest_shown(cache, at(100)) == "60.0"
    rejected = manual("pay_b", "failed", 3, updated_at=at(95))
    await handle_batch(with_ids(rejected), uow=FakeUnitOfWork(tables), cache=cache)
    assert oldest_shown(cache, at(100)) == "0.0"


async def test_processing_time_is_a_histogram_counted_once_per_payment() -> None:
    tables, cache = FakeTables(), CounterCache()
    batches = [
        [created("pay_1"), captured("pay_1", updated_at=at(0.3))],
        [captured("pay_2", updated_at=at(42))],
        [failed("pay_3", updated_at=at(1))],
        # Another event of pay_1 (its fees, a webhook path): timed once already.
        [captured("pay_1", updated_at=at(9), fees=FEES)],
        [refund_event("re_1", 2_500, "succeeded", 2_500, 5)],
    ]
    for batch in batches:
        await handle_batch(with_ids(*batch), uow=FakeUnitOfWork(tables), cache=cache)
    text = generate_latest(registry_for(cache)).decode()
    series = 'method="card",provider="stripe"'
    assert "# TYPE payroute_payment_processing_seconds histogram" in text
    expected = {"0.25": 0, "0.5": 1, "1.0": 2, "30.0": 2, "60.0": 3, "+Inf": 3}
    for le, n in expected.items():
        assert f'payroute_payment_processing_seconds_bucket{{le="{le}",{series}}} {n}.0' in text
    assert f"payroute_payment_processing_seconds_count{{{series}}} 3.0" in text
    assert f"payroute_payment_processing_seconds_sum{{{series}}} 43.3" in text
    # Restarted: the same histogram from the table alone.
    restarted = CounterCache()
    await refresh_cache(restarted, uow=FakeUnitOfWork(tables))
    assert generate_latest(registry_for(restarted)).decode() == text
