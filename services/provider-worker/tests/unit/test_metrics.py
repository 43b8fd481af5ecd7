"""What provider-worker's `/metrics` says about each provider request, by the fixed
names of issue 14: requests by outcome, their latency, up and circuit state."""

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from payroute_common.metrics_route import metrics_router
from provider_worker import metrics
from provider_worker.adapters.base import Authorization, OperationResult, ProviderFailure
from provider_worker.guard import ProviderGuard

from .fakes import POLICY, UNAVAILABLE, FakeAdapter, FakeClock, error


def requests(provider: str, operation: str, outcome: str) -> float:
    labels = {"provider": provider, "operation": operation, "outcome": outcome}
    return REGISTRY.get_sample_value("payroute_provider_requests_total", labels) or 0.0


def timed(provider: str, operation: str) -> float:
    labels = {"provider": provider, "operation": operation}
    return REGISTRY.get_sample_value("payroute_provider_request_seconds_count", labels) or 0.0


async def test_answers_count_as_succeeded_or_pending_and_are_timed() -> None:
    adapter = FakeAdapter("answering")
    g = ProviderGuard(adapter, POLICY, clock=FakeClock())

    async def pending_refund() -> OperationResult:
        return OperationResult("re_1", 100, "PHP", outcome="pending")

    async def action_required() -> Authorization:
        return Authorization("requires_action", "pi_1", 100, "PHP", "https://pay.example/3ds")

    await g.call("capture", adapter.health_check)
    await g.call("refund", pending_refund)
    await g.call("authorize", action_required)
    await g.check_health()

    assert requests("answering", "capture", "succeeded") == 1
    assert requests("answering", "refund", "pending") == 1
    assert requests("answering", "authorize", "pending") == 1
    assert requests("answering", "health_check", "succeeded") == 1
    assert timed("answering", "refund") == 1
    assert timed("answering", "health_check") == 1


@pytest.mark.parametrize("category", ["hard_decline", "authentication", "invalid_request"])
async def test_a_failure_counts_under_its_category(category: str) -> None:
    adapter = FakeAdapter(f"failing_{category}", failure=error(category))
    g = ProviderGuard(adapter, POLICY, clock=FakeClock())

    with pytest.raises(ProviderFailure):
        await g.call("authorize", adapter.health_check)

    assert requests(adapter.name, "authorize", category) == 1
    assert timed(adapter.name, "authorize") == 1


async def test_an_adapter_bug_is_adapter_error_not_a_provider_timeout() -> None:
    adapter = FakeAdapter("buggy")
    g = ProviderGuard(adapter, POLICY, clock=FakeClock())

    async def broken() -> None:
        raise KeyError("id")

    with pytest.raises(KeyError):
        await g.call("capture", broken)

    assert requests("buggy", "capture", "adapter_error") == 1
    assert requests("buggy", "capture", "timeout") == 0


async def test_a_refused_call_is_circuit_open_and_not_timed() -> None:
    adapter = FakeAdapter("opened", failure=UNAVAILABLE)
    g = ProviderGuard(
        adapter, POLICY.model_copy(update={"breaker_threshold": 1}), clock=FakeClock()
    )
    with pytest.raises(ProviderFailure):
        await g.call("authorize", adapter.health_check)

    with pytest.raises(ProviderFailure):
        await g.call("authorize", adapter.health_check)

    assert requests("opened", "authorize", "provider_unavailable") == 1
    assert requests("opened", "authorize", "circuit_open") == 1
    assert timed("opened", "authorize") == 1


def test_every_outcome_is_a_fixed_value() -> None:
    assert set(metrics.OUTCOMES) == {
        "succeeded",
        "pending",
        "hard_decline",
        "soft_decline",
        "provider_unavailable",
        "timeout",
        "authentication",
        "invalid_request",
        "circuit_open",
        "adapter_error",
    }


async def test_only_configured_providers_have_up_and_circuit_series() -> None:
    ProviderGuard(FakeAdapter("configured_one"), POLICY, clock=FakeClock())
    app = FastAPI()
    app.include_router(metrics_router())

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
        text = (await client.get("/metrics")).text

    assert 'payroute_provider_up{provider="configured_one"} 1.0' in text
    assert 'payroute_provider_circuit_state{provider="configured_one"} 0.0' in text
    assert 'provider="never_configured"' not in text
    assert "payroute_provider_calls" not in text
