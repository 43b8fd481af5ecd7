"""A provider that refuses Payroute's credentials (401/403) is `misconfigured`: its own
state, apart from the breaker; reported on provider.health, `/health` and metrics,
and cleared by the next answer that shows the credentials accepted."""

from __future__ import annotations

import contextlib

import pytest
from prometheus_client import REGISTRY

from provider_worker import handlers
from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.stripe import StripeAdapter
from provider_worker.breaker import Transition
from provider_worker.guard import ProviderGuard, Providers

from .fakes import DECLINED, POLICY, FakeAdapter, FakeClock, error
from .test_health import World, brief
from .test_stripe_operations import authorize

REFUSED = error("authentication", "api_key_invalid")


def up(provider: str) -> float | None:
    return REGISTRY.get_sample_value("payroute_provider_up", {"provider": provider})


async def test_a_refusal_of_credentials_marks_the_provider_misconfigured_not_sick() -> None:
    adapter = FakeAdapter("refused", failure=REFUSED)
    changes: list[tuple[str | None, Transition | None]] = []

    def changed(guard: ProviderGuard, change: Transition | None) -> None:
        changes.append((guard.misconfigured, change))

    g = ProviderGuard(adapter, POLICY, on_change=changed, clock=FakeClock())
    assert up("refused") == 1
    for _ in range(POLICY.breaker_threshold + 1):
        with pytest.raises(ProviderFailure):
            await g.call("authorize", adapter.health_check)

    assert g.misconfigured == "authentication: api_key_invalid"
    assert (g.breaker.state, g.breaker.consecutive_failures) == ("closed", 0)
    assert len(adapter.sent) == POLICY.breaker_threshold + 1  # calls still go
    assert changes == [("authentication: api_key_invalid", None)]  # reported once
    assert up("refused") == 0


@pytest.mark.parametrize("answer", [None, DECLINED], ids=["success", "decline"])
async def test_an_answer_with_the_credentials_accepted_recovers_it(answer: object) -> None:
    adapter = FakeAdapter("recovering", failure=REFUSED)
    g = ProviderGuard(adapter, POLICY, clock=FakeClock())
    await g.check_health()
    adapter.failure = answer  # type: ignore[assignment]

    with contextlib.suppress(ProviderFailure):
        await g.call("authorize", adapter.health_check)

    assert g.misconfigured is None
    assert up("recovering") == 1


async def test_timeouts_and_outages_do_not_clear_it() -> None:
    adapter = FakeAdapter("still", failure=REFUSED)
    g = ProviderGuard(adapter, POLICY, clock=FakeClock())
    await g.check_health()
    adapter.failure = error("timeout", "http_500")

    await g.check_health()

    assert g.misconfigured is not None


async def test_provider_health_says_misconfigured_until_a_check_is_answered() -> None:
    world = World("stripe")
    stripe = world.adapters["stripe"]
    stripe.failure = REFUSED
    await world.checker.check()
    await world.checker.check()
    stripe.failure = None
    await world.checker.check()

    events = await world.flush()
    assert [brief(e) for e in events] == [
        ("stripe", "state_change", "closed", "misconfigured"),
        ("stripe", "health_check", "closed", "misconfigured"),
        ("stripe", "health_check", "closed", "misconfigured"),
        ("stripe", "state_change", "closed", "healthy"),
        ("stripe", "health_check", "closed", "healthy"),
    ]
    assert events[0]["reason"] == "authentication: api_key_invalid"
    assert events[3]["reason"] == "credentials accepted"


async def test_a_wrong_stripe_key_through_the_guard(simulator: str) -> None:
    adapter = StripeAdapter("sk_test_rotated_away", simulator, timeout_s=5)
    providers = Providers.build({"stripe": adapter}, POLICY)  # type: ignore[dict-item]
    try:
        result = await handlers.call(
            authorize().model_copy(update={"provider": "stripe"}), providers
        )
    finally:
        await adapter.close()

    assert isinstance(result, handlers.ProviderAttemptFailed)
    assert result.error.category == "authentication"
    guard = providers.guards["stripe"]
    assert guard.misconfigured is not None
    assert guard.breaker.consecutive_failures == 0
