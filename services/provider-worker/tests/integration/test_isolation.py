"""One command whose adapter call raises, in a batch with others: that command is answered
undetermined (`timeout` / `adapter_error`) and every other one is answered normally, once:
the batch is not failed, so no command in it is sent to the provider again."""

import uuid

import pytest

from payroute_common.messages import AuthorizePayment, PaymentMethod
from provider_worker.adapters.base import Authorization
from provider_worker.adapters.stripe import StripeAdapter

from .conftest import API_KEY, Worker, envelope

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning"),
]


class BrokenForOnePayment(StripeAdapter):
    """The real Stripe adapter, but reading the answer for `broken` raises `error`."""

    def __init__(self, url: str, broken: str, error: Exception) -> None:
        super().__init__(API_KEY, url, timeout_s=5)
        self.broken = broken
        self.error = error
        self.authorized: list[str] = []

    async def authorize(self, command: AuthorizePayment) -> Authorization:
        self.authorized.append(command.payment_id)
        answer = await super().authorize(command)
        if command.payment_id == self.broken:
            raise self.error
        return answer


def authorize(payment_id: str) -> AuthorizePayment:
    return AuthorizePayment(
        payment_id=payment_id,
        attempt_id=f"att_{payment_id}",
        provider="stripe",
        amount=2500,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type="card", token="pm_card_visa"),
    )


@pytest.mark.parametrize("error", [KeyError("status"), ValueError("bad amount")], ids=repr)
async def test_an_adapter_that_raises_mid_batch_fails_only_its_own_command(
    worker: Worker, error: Exception
) -> None:
    ids = [f"pay_{uuid.uuid4().hex[:12]}" for _ in range(3)]
    adapter = BrokenForOnePayment(worker.simulator_url, ids[1], error)
    try:
        await worker.handle(*(envelope(authorize(p), p) for p in ids), adapter=adapter)
    finally:
        await adapter.close()

    results = [await worker.results(p) for p in ids]
    assert [[r["event_type"] for r in rs] for rs in results] == [
        ["ProviderAttemptSucceeded"],
        ["ProviderAttemptFailed"],
        ["ProviderAttemptSucceeded"],
    ]
    failed = results[1][0]["payload"]["error"]
    assert (failed["category"], failed["code"]) == ("timeout", "adapter_error")
    assert failed["message"] == f"{type(error).__name__}: {error}"
    assert sorted(adapter.authorized) == sorted(ids)  # each sent once
    for payment_id in ids:
        assert await worker.moves(payment_id) == [("charge", 2500)]
    (row,) = await worker.rows(
        "SELECT outcome, error->>'code' AS code FROM attempt_log WHERE attempt_id = :a",
        a=f"att_{ids[1]}",
    )
    assert (row.outcome, row.code) == ("failed", "adapter_error")
