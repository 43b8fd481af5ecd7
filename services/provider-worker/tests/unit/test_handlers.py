"""Commands answered with result events, against a fake adapter (no network, no database)."""

import pytest

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    PaymentMethod,
    ProviderError,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    RefundCharge,
    VoidAuthorization,
)
from provider_worker import handlers
from provider_worker.adapters.base import Authorization, OperationResult, ProviderFailure
from provider_worker.handlers import Providers


class FakeAdapter:
    """Answers each operation as told; records the commands it was sent."""

    name = "fake"

    def __init__(self, failure: ProviderError | None = None) -> None:
        self.failure = failure
        self.sent: list[object] = []

    def _answer(self, command: object, reference: str, amount: int) -> OperationResult:
        self.sent.append(command)
        if self.failure is not None:
            raise ProviderFailure(self.failure, reference)
        return OperationResult(reference, amount, "PHP")

    async def authorize(self, command: AuthorizePayment) -> Authorization:
        self.sent.append(command)
        return Authorization("authorized", "pi_1", command.amount, command.currency)

    async def capture(self, command: CaptureAuthorization) -> OperationResult:
        return self._answer(command, command.provider_reference, command.amount)

    async def void(self, command: VoidAuthorization) -> OperationResult:
        return self._answer(command, command.provider_reference, 2500)

    async def refund(self, command: RefundCharge) -> OperationResult:
        return self._answer(command, "re_1", command.amount)

    async def close(self) -> None:
        return None


def providers(adapter: FakeAdapter) -> Providers:
    return Providers.build({"fake": adapter}, concurrency=4)


COMMANDS = {
    "capture": CaptureAuthorization(
        payment_id="pay_1",
        operation_id="op_1",
        provider="fake",
        provider_reference="pi_1",
        amount=1500,
        currency="PHP",
    ),
    "void": VoidAuthorization(
        payment_id="pay_1", operation_id="op_1", provider="fake", provider_reference="pi_1"
    ),
    "refund": RefundCharge(
        payment_id="pay_1",
        operation_id="op_1",
        provider="fake",
        provider_reference="pi_1",
        amount=700,
        currency="PHP",
    ),
}


@pytest.mark.parametrize(
    ("operation", "reference", "amount"),
    [("capture", "pi_1", 1500), ("void", "pi_1", 2500), ("refund", "re_1", 700)],
)
async def test_a_confirmed_operation_is_answered_succeeded(
    operation: str, reference: str, amount: int
) -> None:
    adapter = FakeAdapter()
    command = COMMANDS[operation]

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

    result = await handlers.call(COMMANDS[operation], providers(FakeAdapter(failure=error)))

    assert isinstance(result, ProviderOperationFailed)
    assert (result.operation, result.operation_id) == (operation, "op_1")
    assert result.error == error


async def test_a_provider_this_worker_lacks_is_answered_failed() -> None:
    command = COMMANDS["refund"].model_copy(update={"provider": "elsewhere"})

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

    assert all(handlers.handles(command) for command in [authorize, *COMMANDS.values()])
    assert not handlers.handles(result)
