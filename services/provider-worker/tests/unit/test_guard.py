"""A provider's guard: concurrency and rate limits, deadline, breaker verdicts, metrics."""

import asyncio

import pytest
from prometheus_client import REGISTRY

from provider_worker.adapters.base import ProviderFailure
from provider_worker.breaker import Transition
from provider_worker.guard import ProviderGuard

from .fakes import DECLINED, POLICY, UNAVAILABLE, FakeAdapter, FakeClock, error


def guard(adapter: FakeAdapter, **policy: float) -> ProviderGuard:
    return ProviderGuard(adapter, POLICY.model_copy(update=policy), clock=FakeClock())


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def calls(provider: str, operation: str, outcome: str) -> float:
    labels = {"provider": provider, "operation": operation, "outcome": outcome}
    return sample("payroute_provider_requests_total", **labels)


async def settle() -> None:
    """Let every runnable task run until it blocks."""
    for _ in range(20):
        await asyncio.sleep(0)


async def test_no_more_calls_in_flight_than_the_concurrency_limit() -> None:
    adapter = FakeAdapter("conc")
    adapter.gate = asyncio.Event()
    g = guard(adapter, concurrency=2)

    calls = [asyncio.create_task(g.call("health_check", adapter.health_check)) for _ in range(5)]
    await settle()
    assert (adapter.in_flight, len(adapter.sent)) == (2, 2)
    adapter.gate.set()
    await asyncio.gather(*calls)

    assert (adapter.most_in_flight, len(adapter.sent)) == (2, 5)


async def test_calls_beyond_the_rate_wait_and_are_counted() -> None:
    adapter = FakeAdapter("rated")
    g = guard(adapter, rate_per_s=2)  # a burst of 2, then one call every 0.5 s
    waits = sample("payroute_provider_rate_limited_waits_total", provider="rated")

    calls = [asyncio.create_task(g.call("health_check", adapter.health_check)) for _ in range(3)]
    await settle()

    assert len(adapter.sent) == 2
    assert not calls[2].done()
    assert sample("payroute_provider_rate_limited_waits_total", provider="rated") == waits + 1
    await asyncio.gather(*calls)
    assert len(adapter.sent) == 3


async def test_a_call_past_the_deadline_fails_timeout_and_counts_for_the_breaker() -> None:
    adapter = FakeAdapter("slow")
    adapter.gate = asyncio.Event()  # never opened: the provider never answers
    g = guard(adapter, timeout_s=0.01)

    with pytest.raises(ProviderFailure) as raised:
        await g.call("authorize", adapter.health_check)

    assert (raised.value.error.category, raised.value.error.code) == ("timeout", "worker_timeout")
    assert g.breaker.consecutive_failures == 1
    assert calls("slow", "authorize", "timeout") == 1


async def test_sick_failures_open_the_circuit_and_then_the_provider_is_not_called() -> None:
    adapter = FakeAdapter("sick", failure=UNAVAILABLE)
    changes: list[tuple[str, str]] = []

    def changed(guard: ProviderGuard, change: Transition | None) -> None:
        assert change is not None
        changes.append((guard.name, change.state))

    g = ProviderGuard(adapter, POLICY, on_change=changed, clock=FakeClock())
    for _ in range(3):
        with pytest.raises(ProviderFailure):
            await g.call("authorize", adapter.health_check)

    with pytest.raises(ProviderFailure) as refused:
        await g.call("authorize", adapter.health_check)

    assert (refused.value.error.category, refused.value.error.code) == (
        "provider_unavailable",
        "circuit_open",
    )
    assert len(adapter.sent) == 3
    assert changes == [("sick", "open")]
    assert sample("payroute_provider_circuit_state", provider="sick") == 2
    assert sample("payroute_provider_up", provider="sick") == 0
    assert calls("sick", "authorize", "circuit_open") == 1


@pytest.mark.parametrize(
    "failure", [DECLINED, error("soft_decline"), error("authentication")], ids=str
)
async def test_refusals_show_the_provider_up_and_reset_the_count(failure) -> None:
    adapter = FakeAdapter("refusing", failure=UNAVAILABLE)
    g = guard(adapter)
    await g.check_health()
    adapter.failure = failure

    for _ in range(5):
        with pytest.raises(ProviderFailure):
            await g.call("authorize", adapter.health_check)

    assert (g.breaker.state, g.breaker.consecutive_failures) == ("closed", 0)


async def test_an_invalid_request_says_nothing_about_the_providers_health() -> None:
    clock = FakeClock()
    adapter = FakeAdapter("invalid", failure=UNAVAILABLE)
    g = ProviderGuard(adapter, POLICY, clock=clock)
    await g.check_health()
    adapter.failure = error("invalid_request")
    with pytest.raises(ProviderFailure):
        await g.call("authorize", adapter.health_check)
    assert g.breaker.consecutive_failures == 1
    adapter.failure = UNAVAILABLE
    for _ in range(2):
        await g.check_health()
    clock.advance(61)
    adapter.failure = error("invalid_request")

    with pytest.raises(ProviderFailure):
        await g.call("authorize", adapter.health_check)  # the probe, refused unseen
    assert g.breaker.state == "half_open"
    await g.check_health()  # the health check's refusal is an answer

    assert g.breaker.state == "closed"


async def test_an_unrefusable_call_goes_while_the_circuit_is_open() -> None:
    adapter = FakeAdapter("ops", failure=UNAVAILABLE)
    g = guard(adapter)
    for _ in range(3):
        await g.check_health()
    adapter.failure = None

    await g.call("capture", adapter.health_check, refusable=False)

    assert len(adapter.sent) == 4
    assert g.breaker.state == "open"


async def test_a_cancelled_probe_frees_the_half_open_slot() -> None:
    clock = FakeClock()
    adapter = FakeAdapter("probe", failure=UNAVAILABLE)
    g = ProviderGuard(adapter, POLICY, clock=clock)
    for _ in range(3):
        await g.check_health()
    clock.advance(61)
    adapter.failure, adapter.gate = None, asyncio.Event()

    probe = asyncio.create_task(g.call("authorize", adapter.health_check))
    await settle()
    with pytest.raises(ProviderFailure):
        await g.call("authorize", adapter.health_check)  # refused: the probe is out
    probe.cancel()
    await asyncio.gather(probe, return_exceptions=True)
    adapter.gate.set()
    await g.call("authorize", adapter.health_check)

    assert g.breaker.state == "closed"
