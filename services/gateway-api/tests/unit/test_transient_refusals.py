"""Only final answers are kept under an Idempotency-Key: a transient refusal (a 409 while
the read model lags, an operation in flight, a 404) leaves the key free, and the same
request sent again is evaluated afresh."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from gateway_api.domain import Payment
from gateway_api.idempotency.answers import is_final
from payroute_common.clock import utcnow
from payroute_common.messages import PaymentMethod


def add_payment(store: Any, merchant_id: str, status: str, **changes: Any) -> Payment:
    now = utcnow()
    payment = Payment(
        id=f"pay_{len(store.payments)}",
        merchant_id=merchant_id,
        amount=10_000,
        currency="PHP",
        capture_method="manual",
        payment_method=PaymentMethod(type="card"),
        created_at=now,
        updated_at=now,
        status=status,
        **changes,
    )
    store.payments[payment.id] = payment
    return payment


@pytest.mark.parametrize(
    ("status_code", "final"),
    [
        *[(code, True) for code in (200, 201, 400, 422)],
        *[(code, False) for code in (401, 403, 404, 409, 429, 500, 503)],
    ],
)
def test_what_counts_as_a_final_answer(status_code: int, final: bool) -> None:
    assert is_final(status_code) is final


async def test_a_capture_refused_while_not_yet_authorized_succeeds_later_under_the_same_key(
    client: httpx.AsyncClient, store: Any
) -> None:
    merchant, secret = store.add_merchant()
    payment = add_payment(store, merchant.id, "processing")
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "capture-1"}
    url = f"/v1/payments/{payment.id}/capture"

    early = await client.post(url, json={}, headers=headers)
    assert (early.status_code, early.json()["error"]["code"]) == (409, "payment_not_capturable")
    assert store.answers == {}
    store.payments[payment.id] = replace(payment, status="authorized", amount_capturable=10_000)

    later = await client.post(url, json={}, headers=headers)
    again = await client.post(url, json={}, headers=headers)

    assert later.status_code == 200, later.text
    assert "Idempotent-Replayed" not in later.headers
    assert [m.envelope.event_type for m in store.published] == ["CapturePayment"]
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == later.json()


@pytest.mark.parametrize(
    ("status", "changes", "code"),
    [
        ("authorized", {"pending_operation": "capture"}, "payment_operation_in_progress"),
        ("captured", {}, "payment_not_cancelable"),
    ],
)
async def test_conflicts_are_not_replayed(
    client: httpx.AsyncClient, store: Any, status: str, changes: dict[str, Any], code: str
) -> None:
    merchant, secret = store.add_merchant()
    payment = add_payment(store, merchant.id, status, **changes)
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "cancel-1"}

    answers = [
        await client.post(f"/v1/payments/{payment.id}/cancel", headers=headers) for _ in range(2)
    ]

    assert [a.status_code for a in answers] == [409, 409]
    assert {a.json()["error"]["code"] for a in answers} == {code}
    assert all("Idempotent-Replayed" not in a.headers for a in answers)
    assert store.answers == {}


async def test_a_404_and_a_403_leave_the_key_free(client: httpx.AsyncClient, store: Any) -> None:
    _, secret = store.add_merchant()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "k-1"}

    missing = await client.post("/v1/refunds", json={"payment_id": "pay_x"}, headers=headers)
    denied = await client.post(
        "/v1/payments/pay_x/verify", json={"decision": "approve"}, headers=headers
    )

    assert (missing.status_code, denied.status_code) == (404, 403)
    assert store.answers == {}
