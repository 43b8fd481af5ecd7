"""Scenario knobs: latency distribution, outage windows, webhook jitter and reordering.

Randomness and the clock are injected: no timed assertions.
"""

import random
from datetime import UTC, datetime, timedelta

import pytest

from provider_simulator.outages import OutageWindow
from provider_simulator.scenarios import Fault, Scenario, Scenarios, ScenarioUpdate, pick_fault
from provider_simulator.webhook_schedule import schedule

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def test_fixed_latency_without_tail_or_jitter_is_exact():
    scenario = Scenario(latency_ms=120)

    assert {scenario.sample_latency_s(random.Random(i)) for i in range(20)} == {0.12}


def test_slow_mode_defaults_to_two_seconds():
    assert Scenario(mode="slow").sample_latency_s(random.Random(1)) == 2.0


def test_lognormal_tail_has_the_asked_median_and_p99():
    rng = random.Random(7)
    scenario = Scenario(latency_ms=100, latency_p99_ms=1000)

    draws = [scenario.sample_latency_s(rng) * 1000 for _ in range(20_000)]

    assert percentile(draws, 0.5) == pytest.approx(100, rel=0.05)
    assert percentile(draws, 0.99) == pytest.approx(1000, rel=0.15)


def test_jitter_adds_a_uniform_extra_on_top():
    rng = random.Random(3)
    scenario = Scenario(latency_ms=50, latency_jitter_ms=100)

    draws = [scenario.sample_latency_s(rng) * 1000 for _ in range(2_000)]

    assert all(50 <= d < 150 for d in draws)
    assert percentile(draws, 0.5) == pytest.approx(100, rel=0.1)


def test_outage_window_counts_from_when_it_was_set():
    scenarios = Scenarios(("stripe",), clock=lambda: T0)
    windows = [OutageWindow(start_s=10, end_s=30)]
    scenario = scenarios.update("stripe", ScenarioUpdate(outage_windows=windows))

    def fault_at(seconds: float) -> Fault:
        return pick_fault(scenario, now=T0 + timedelta(seconds=seconds))

    assert scenario.outage_windows_since == T0
    assert fault_at(9.9) is Fault.NONE
    assert fault_at(10) is Fault.OUTAGE
    assert fault_at(29.9) is Fault.OUTAGE
    assert fault_at(30) is Fault.NONE


def test_other_updates_keep_the_windows_anchor():
    times = iter([T0, T0 + timedelta(seconds=20)])
    scenarios = Scenarios(("stripe",), clock=lambda: next(times))
    scenarios.update("stripe", ScenarioUpdate(outage_windows=[OutageWindow(start_s=0, end_s=5)]))

    later = scenarios.update("stripe", ScenarioUpdate(error_rate=0.5))

    assert later.outage_windows_since == T0


def test_error_rate_uses_the_given_randomness():
    scenario = Scenario(error_rate=0.5)
    rng = random.Random(11)

    faults = [pick_fault(scenario, now=T0, rng=rng) for _ in range(1_000)]

    assert 400 < faults.count(Fault.ERROR) < 600
    assert set(faults) == {Fault.ERROR, Fault.NONE}


def test_webhooks_in_order_with_the_fixed_delay_by_default():
    planned = schedule(["a", "b"], Scenario(webhook_delay_ms=250), random.Random(1))

    assert [(s.delivery, s.delay_s) for s in planned] == [("a", 0.25), ("b", 0.25)]


def test_reorder_hands_over_the_last_webhook_first():
    planned = schedule(["a", "b", "c"], Scenario(webhook_reorder=True), random.Random(1))

    assert [s.delivery for s in planned] == ["c", "b", "a"]


def test_jitter_draws_a_delay_per_delivery_and_duplicate():
    scenario = Scenario(webhook_delay_ms=100, webhook_jitter_ms=1_000, webhook_duplicates=2)

    planned = schedule(["a", "b"], scenario, random.Random(5))

    assert [s.delivery for s in planned] == ["a", "a", "a", "b", "b", "b"]
    delays = [s.delay_s for s in planned]
    assert all(0.1 <= d < 1.1 for d in delays)
    assert len(set(delays)) == len(delays)


def test_switched_off_webhooks_schedule_nothing():
    assert schedule(["a"], Scenario(webhooks=False, webhook_duplicates=3), random.Random()) == []


async def test_knobs_are_set_and_validated_over_http(sim):
    response = await sim.configure(
        latency_ms=5,
        latency_p99_ms=50,
        latency_jitter_ms=5,
        outage_windows=[{"start_s": 60, "end_s": 120}],
        webhook_jitter_ms=10,
        webhook_reorder=True,
    )
    backwards = await sim.configure(outage_windows=[{"start_s": 10, "end_s": 5}])

    assert response.status_code == 200
    body = response.json()
    assert body["outage_windows"] == [{"start_s": 60.0, "end_s": 120.0}]
    assert body["outage_windows_since"] is not None
    assert (body["latency_p99_ms"], body["webhook_reorder"]) == (50, True)
    assert backwards.status_code == 422


async def test_a_current_outage_window_fails_requests_then_clearing_it_restores(sim):
    await sim.configure(outage_windows=[{"start_s": 0, "end_s": 3600}])
    down = await sim.create_intent()
    await sim.configure(outage_windows=[])
    up = await sim.create_intent()

    assert down.status_code == 503
    assert down.json()["error"]["type"] == "api_error"
    assert up.status_code == 200
    assert len(await sim.ledger()) == 1


async def test_reordered_webhooks_of_one_request_arrive_last_first(sim):
    intent = (await sim.create_intent()).json()
    await sim.wait_until(lambda: len(sim.sink.requests) == 1)
    await sim.configure(webhook_reorder=True)

    await sim.post("/v1/refunds", {"payment_intent": intent["id"]})

    await sim.wait_until(lambda: len(sim.sink.requests) == 3)
    assert [e["type"] for e in sim.sink.events()[1:]] == ["refund.created", "charge.refunded"]
