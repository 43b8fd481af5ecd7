"""An adapter that raises what it should not: that command's undetermined answer, never an
exception out of the handler (which would fail the batch and re-send its other commands)."""

import pytest

from payroute_common.messages import (
    AuthorizePayment,
    PaymentMethod,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderOperationFailed,
    ProviderStatusReported,
    QueryProviderStatus,
)
from provider_worker import handlers
from provider_worker.guard import Providers
from provider_worker.unexpected import adapter_error

from .fakes import OPERATIONS, POLICY, FakeAdapter


class RaisingAdapter(FakeAdapter):
    """Raises `error` from every call for payment `pay_bad`; answers the others."""

    def __init__(self, error: Exception) -> None:
        super().__init__("fake")
        self.error = error

    async def _answer(self, command: object) -> None:
        await super()._answer(command)
        if getattr(command, "payment_id", None) == "pay_bad" or (
            isinstance(command, tuple) and "pay_bad" in command
        ):
            raise self.error


def authorize(payment_id: str) -> AuthorizePayment:
    return AuthorizePayment(
        payment_id=payment_id,
        attempt_id=f"att_{payment_id}",
        provider="fake",
        amount=100,
        currency="PHP",
        capture_method="manual",
        payment_method=PaymentMethod(type="card", token="pm_card_visa"),
    )


@pytest.mark.parametrize("error", [KeyError("status"), ValueError("not a number")], ids=repr)
async def test_an_authorization_that_raises_is_undetermined_and_the_others_succeed(
    error: Exception,
) -> None:
    providers = Providers.build({"fake": RaisingAdapter(error)}, POLICY)

    bad = await handlers.call(authorize("pay_bad"), providers)
    good = await handlers.call(authorize("pay_good"), providers)

    assert isinstance(bad, ProviderAttemptFailed)
    assert (bad.error.category, bad.error.code) == ("timeout", "adapter_error")
    assert bad.error.message == f"{type(error).__name__}: {error}"
    assert isinstance(good, ProviderAttemptSucceeded)


async def test_operations_and_status_queries_that_raise_are_undetermined() -> None:
    providers = Providers.build({"fake": RaisingAdapter(KeyError("data"))}, POLICY)
    refund = OPERATIONS["refund"].model_copy(update={"payment_id": "pay_bad"})
    query = QueryProviderStatus(payment_id="pay_bad", attempt_id="att_1", provider="fake")

    operation = await handlers.call(refund, providers)
    status = await handlers.call(query, providers)

    assert isinstance(operation, ProviderOperationFailed)
    assert (operation.error.code, operation.operation_id) == ("adapter_error", "op_1")
    assert isinstance(status, ProviderStatusReported)
    assert (status.outcome, status.error and status.error.code) == ("unknown", "adapter_error")


def test_the_message_names_the_exception_without_credentials() -> None:
    error = ValueError("Authorization: Basic c2tfdGVzdF94eXo6 failed for sk_live_abcdef123456")

    message = adapter_error(error).message

    assert message == "ValueError: Authorization: [redacted] failed for [redacted]"
