"""Commands answered with result events, against a fake adapter (no network, no database)."""

import pytest

from payroute_common.messages import (
    AuthorizePayment,
    PaymentMethod,
    ProviderError,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
)
from provider_worker import handlers
from provider_worker.guard import Providers

from .fakes import OPERATIONS, POLICY, FakeAdapter


def providers(adapter: FakeAdapter) -> Providers:
    return Providers.build({"fake": adapter}, POLICY)


@pytest.mark.parametrize(
    ("operation", "reference", "amount"),
    [("capture", "pi_1", 1500), ("void", "pi_1", 2500), ("refund", "re_1", 700)],
)
async def test_a_confirmed_operation_is_answered_succeeded(
    operation: str, reference: str, amount: int
) -> None:
    adapter = FakeAdapter()
    command = OPERATIONS[operation]

    result = await handlers.call(command, providers(adapter))

    assert isinstance(result, ProviderOperationSucceeded)
    assert (result.operation, result.operation_id, result.payment_id) == (
        operation,
        "op_1",
        "pay_1",
    )
    assert (result.provider_reference, result.amount, result.currency) == (reference, amount, "PHP")
    assert result.latency_ms >= 0
    assert adapter.sent == [command]


@pytest.mark.parametrize("operation", ["capture", "void", "refund"])
@pytest.mark.parametrize("category", ["invalid_request", "timeout", "provider_unavailable"])
async def test_a_refused_or_unknown_operation_is_answered_failed_with_the_error(
    operation: str, category: str
) -> None:
    error = ProviderError(category=category, code="some_code", message="no")  # type: ignore[arg-type]

    result = await handlers.call(OPERATIONS[operation], providers(FakeAdapter(failure=error)))

    assert isinstance(result, ProviderOperationFailed)
    assert (result.operation, result.operation_id) == (operation, "op_1")
    assert result.error == error


async def test_a_provider_this_worker_lacks_is_answered_failed() -> None:
    command = OPERATIONS["refund"].model_copy(update={"provider": "elsewhere"})

    result = await handlers.call(command, providers(FakeAdapter()))

    assert isinstance(result, ProviderOperationFailed)
    assert (result.error.category, result.error.code) == (
        "invalid_request",
        "provider_not_configured",
    )


def test_the_worker_handles_provider_commands_only() -> None:
    authorize = AuthorizePayment(
        payment_id="pay_1",
        attempt_id="att_1",
        provider="fake",
        amount=100,
        currency="PHP",
        capture_method="manual",
        payment_method=PaymentMethod(type="card", token="pm_card_visa"),
    )
    result = ProviderOperationSucceeded(
        payment_id="pay_1",
        operation_id="op_1",
        operation="void",
        provider="fake",
        provider_reference="pi_1",
        amount=1,
        currency="PHP",
        latency_ms=1,
    )

    assert all(handlers.handles(command) for command in [authorize, *OPERATIONS.values()])
    assert not handlers.handles(result)
