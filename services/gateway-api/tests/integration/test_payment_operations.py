"""Capture, cancel, verify and refund rules through the real app over a real database.

The orchestrator is simulated by feeding events to `read_model.apply_payment_events`.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from payroute_common.envelope import Envelope
from payroute_common.messages import (
    PaymentAwaitingVerification,
    PaymentCaptured,
    PaymentFailure,
)
from payroute_common.messages.payment_events import PaymentOperationFailed

from .orchestrated import (
    authorized,
    captured,
    commands,
    create,
    operator_headers,
    orchestrator_says,
    snapshot,
)

pytestmark = pytest.mark.integration


async def test_partial_capture_then_refunds_up_to_the_captured_amount_and_no_further(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await authorized(client, gateway, merchant, body)
    url = f"/v1/payments/{payment['id']}"

    capture = await client.post(f"{url}/capture", json={"amount": 6_000}, headers=merchant.headers)
    assert capture.status_code == 200, capture.text
    assert capture.json()["status"] == "authorized"  # until the orchestrator answers
    again = await client.post(f"{url}/capture", json={}, headers=merchant.headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "payment_operation_in_progress"
    await orchestrator_says(
        gateway, PaymentCaptured(payment=snapshot(payment, 3, "captured", amount_captured=6_000))
    )

    first = await client.post(
        "/v1/refunds",
        json={"payment_id": payment["id"], "amount": 2_000, "reason": "requested_by_customer"},
        headers=merchant.headers,
    )
    second = await client.post(
        "/v1/refunds", json={"payment_id": payment["id"], "amount": 3_000}, headers=merchant.headers
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["status"] == "pending"
    assert first.json()["id"].startswith("re_")
    before = (await gateway.count("refunds"), await gateway.count("outbox"))

    too_much = await client.post(
        "/v1/refunds", json={"payment_id": payment["id"], "amount": 1_001}, headers=merchant.headers
    )

    assert too_much.status_code == 409
    assert too_much.json()["error"]["code"] == "amount_exceeds_refundable"
    assert (await gateway.count("refunds"), await gateway.count("outbox")) == before
    assert await commands(gateway, payment["id"]) == [
        "CreatePayment",
        "CapturePayment",
        "RefundPayment",
        "RefundPayment",
    ]
    rest = await client.post(
        "/v1/refunds", json={"payment_id": payment["id"]}, headers=merchant.headers
    )
    assert (rest.status_code, rest.json()["amount"]) == (201, 1_000)
    listed = await client.get(f"/v1/refunds?payment_id={payment['id']}", headers=merchant.headers)
    assert sorted(r["amount"] for r in listed.json()["data"]) == [1_000, 2_000, 3_000]


async def test_capture_more_than_capturable_is_refused(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await authorized(client, gateway, merchant, body)

    response = await client.post(
        f"/v1/payments/{payment['id']}/capture", json={"amount": 10_001}, headers=merchant.headers
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "amount_exceeds_capturable"


async def test_cancel_after_capture_is_refused_and_capture_of_a_captured_payment_too(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await captured(client, gateway, merchant, body)

    cancel = await client.post(f"/v1/payments/{payment['id']}/cancel", headers=merchant.headers)
    capture = await client.post(f"/v1/payments/{payment['id']}/capture", headers=merchant.headers)

    assert cancel.status_code == 409
    assert cancel.json()["error"]["code"] == "payment_not_cancelable"
    assert capture.json()["error"]["code"] == "payment_not_capturable"
    assert await commands(gateway, payment["id"]) == ["CreatePayment"]


async def test_cancel_of_an_authorized_payment_stages_cancel_and_a_refused_one_frees_it(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await authorized(client, gateway, merchant, body)

    cancel = await client.post(f"/v1/payments/{payment['id']}/cancel", headers=merchant.headers)
    assert cancel.status_code == 200
    refused = PaymentOperationFailed(
        payment=snapshot(payment, 2, "authorized", amount_capturable=10_000),
        operation="cancel",
        failure=PaymentFailure(code="provider_unavailable", message="try later"),
    )
    await orchestrator_says(gateway, refused)
    retry = await client.post(f"/v1/payments/{payment['id']}/cancel", headers=merchant.headers)

    assert retry.status_code == 200
    assert await commands(gateway, payment["id"]) == [
        "CreatePayment",
        "CancelPayment",
        "CancelPayment",
    ]


async def test_refund_of_an_uncaptured_payment_is_refused(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await authorized(client, gateway, merchant, body)

    response = await client.post(
        "/v1/refunds", json={"payment_id": payment["id"]}, headers=merchant.headers
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "payment_not_refundable"


async def test_only_operators_verify_and_only_payments_awaiting_verification(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await create(client, merchant, body, payment_method={"type": "cash"})
    await orchestrator_says(
        gateway,
        PaymentAwaitingVerification(
            payment=snapshot(payment, 2, "pending_verification", provider="manual")
        ),
    )
    url = f"/v1/payments/{payment['id']}/verify"
    operator = await operator_headers(gateway, merchant)

    as_merchant = await client.post(url, json={"decision": "approve"}, headers=merchant.headers)
    as_operator = await client.post(
        url, json={"decision": "approve", "note": "cash counted"}, headers=operator
    )
    twice = await client.post(url, json={"decision": "reject"}, headers=operator)

    assert as_merchant.status_code == 403
    assert as_merchant.json()["error"]["code"] == "insufficient_role"
    assert as_operator.status_code == 200
    assert twice.json()["error"]["code"] == "payment_operation_in_progress"
    assert await commands(gateway, payment["id"]) == ["CreatePayment", "VerifyPayment"]
    (row,) = await gateway.rows(
        "SELECT value FROM outbox WHERE key = :id ORDER BY id DESC LIMIT 1", id=payment["id"]
    )
    assert Envelope.model_validate_json(row.value).payload["decision"] == "approve"


async def test_verify_of_a_card_payment_is_refused(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await authorized(client, gateway, merchant, body)
    operator = await operator_headers(gateway, merchant)

    response = await client.post(
        f"/v1/payments/{payment['id']}/verify", json={"decision": "approve"}, headers=operator
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "payment_not_awaiting_verification"


async def test_manual_methods_send_the_verification_window_and_fees_from_settings(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    cash = await create(client, merchant, body, payment_method={"type": "cash"})
    card = await create(client, merchant, body)

    (cash_row,) = await gateway.rows("SELECT value FROM outbox WHERE key = :id", id=cash["id"])
    (card_row,) = await gateway.rows("SELECT value FROM outbox WHERE key = :id", id=card["id"])
    cash_cmd = Envelope.model_validate_json(cash_row.value).payload
    card_cmd = Envelope.model_validate_json(card_row.value).payload
    assert cash_cmd["verification_ttl_seconds"] == 72 * 3600
    assert card_cmd["verification_ttl_seconds"] is None
    assert card_cmd["platform_fee_ppm"] == 30_000  # starter tier
