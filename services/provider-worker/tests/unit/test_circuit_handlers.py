"""Commands while a provider is sick: authorizations refused at once, operations still sent."""

import pytest

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    PaymentMethod,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderOperationSucceeded,
    RefundCharge,
    VoidAuthorization,
)
from provider_worker import handlers
from provider_worker.guard import Providers

from .fakes import DECLINED, OPERATIONS, POLICY, UNAVAILABLE, FakeAdapter, FakeClock


def authorize(n: int) -> AuthorizePayment:
    return AuthorizePayment(
        payment_id=f"pay_{n}",
        attempt_id=f"att_{n}",
        provider="fake",
        amount=2500,
        currency="PHP",
        capture_method="manual",
        payment_method=PaymentMethod(type="card", token="pm_card_visa"),
    )


async def tripped(adapter: FakeAdapter, clock: FakeClock | None = None) -> Providers:
    """Providers whose `fake` circuit was opened by three provider_unavailable answers."""
    providers = Providers.build({"fake": adapter}, POLICY, clock=clock or FakeClock())
    adapter.failure = UNAVAILABLE
    for n in range(3):
        result = await handlers.call(authorize(n), providers)
        assert isinstance(result, ProviderAttemptFailed)
        assert result.error.code == "api_error"
    adapter.failure = None
    return providers


async def test_an_authorization_while_the_circuit_is_open_is_refused_without_calling() -> None:
    adapter = FakeAdapter()
    providers = await tripped(adapter)

    result = await handlers.call(authorize(9), providers)

    assert isinstance(result, ProviderAttemptFailed)
    assert (result.error.category, result.error.code) == ("provider_unavailable", "circuit_open")
    assert (result.attempt_id, result.latency_ms) == ("att_9", 0)
    assert authorize(9) not in adapter.sent


@pytest.mark.parametrize("command", OPERATIONS.values(), ids=OPERATIONS.keys())
async def test_operations_on_existing_payments_are_sent_while_the_circuit_is_open(
    command: CaptureAuthorization | VoidAuthorization | RefundCharge,
) -> None:
    adapter = FakeAdapter()
    providers = await tripped(adapter)

    result = await handlers.call(command, providers)

    assert isinstance(result, ProviderOperationSucceeded)
    assert adapter.sent[-1] == command


async def test_after_the_open_period_one_authorization_probes_and_closes_the_circuit() -> None:
    clock, adapter = FakeClock(), FakeAdapter()
    providers = await tripped(adapter, clock)
    clock.advance(POLICY.breaker_open_s + 1)

    probe = await handlers.call(authorize(10), providers)
    after = await handlers.call(authorize(11), providers)

    assert isinstance(probe, ProviderAttemptSucceeded)
    assert isinstance(after, ProviderAttemptSucceeded)
    guard = providers.get("fake")
    assert guard is not None
    assert guard.breaker.state == "closed"


async def test_declines_never_open_the_circuit() -> None:
    adapter = FakeAdapter(failure=DECLINED)
    providers = Providers.build({"fake": adapter}, POLICY)

    results = [await handlers.call(authorize(n), providers) for n in range(10)]

    assert {r.error.code for r in results if isinstance(r, ProviderAttemptFailed)} == {
        "card_declined"
    }
    assert len(adapter.sent) == 10
