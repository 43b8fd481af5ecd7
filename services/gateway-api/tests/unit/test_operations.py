"""Capture, cancel, verify, refund and idempotency rules against the in-memory unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway_api.domain import Conflict, Payment, PermissionDenied, Principal, Refund
from gateway_api.idempotency.rules import IdempotentRequest, Replay, StoredAnswer, answer_again
from gateway_api.payments import commands as payment_commands
from gateway_api.payments.schemas import CapturePaymentRequest, VerifyPaymentRequest
from gateway_api.projection import read_model
from gateway_api.refunds import commands as refund_commands
from gateway_api.refunds.schemas import CreateRefundRequest
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import PaymentFailure, PaymentMethod, PaymentSnapshot
from payroute_common.messages.payment_events import PaymentOperationFailed, RefundFailed
from payroute_common.messages.values import RefundSnapshot

MERCHANT = Principal("key_1", "mch_1", "merchant")
OPERATOR = Principal("key_2", "mch_1", "operator")


def payment(store: Any, status: str, **changes: Any) -> Payment:
    now = utcnow()
    values: dict[str, Any] = {
        "id": f"pay_{len(store.payments)}",
        "merchant_id": "mch_1",
        "amount": 10_000,
        "currency": "PHP",
        "capture_method": "manual",
        "payment_method": PaymentMethod(type="card"),
        "created_at": now,
        "updated_at": now,
        "status": status,
    }
    values.update(changes)
    made = Payment(**values)
    store.payments[made.id] = made
    return made


def staged(store: Any) -> list[str]:
    return [m.envelope.event_type for m in store.published]


async def test_capture_stages_the_command_and_marks_the_operation_in_flight(
    store: Any, uow: Any
) -> None:
    paid = payment(store, "authorized", amount_capturable=10_000)

    result = await payment_commands.capture_payment(
        paid.id, CapturePaymentRequest(amount=4_000), principal=MERCHANT, uow=uow
    )

    assert result.pending_operation == "capture"
    assert store.payments[paid.id].pending_operation == "capture"
    (message,) = store.published
    assert Envelope.model_validate(message.envelope).payload["amount"] == 4_000


@pytest.mark.parametrize(
    ("status", "changes", "amount", "code"),
    [
        ("captured", {}, None, "payment_not_capturable"),
        ("authorized", {"amount_capturable": 10_000}, 10_001, "amount_exceeds_capturable"),
        ("authorized", {"pending_operation": "cancel"}, None, "payment_operation_in_progress"),
    ],
)
async def test_capture_refusals(
    store: Any, uow: Any, status: str, changes: dict[str, Any], amount: int | None, code: str
) -> None:
    paid = payment(store, status, **changes)

    with pytest.raises(Conflict) as refused:
        await payment_commands.capture_payment(
            paid.id, CapturePaymentRequest(amount=amount), principal=MERCHANT, uow=uow
        )

    assert refused.value.code == code
    assert store.published == []


async def test_cancel_after_capture_is_refused(store: Any, uow: Any) -> None:
    paid = payment(store, "captured", amount_captured=10_000)

    with pytest.raises(Conflict) as refused:
        await payment_commands.cancel_payment(paid.id, principal=MERCHANT, uow=uow)

    assert refused.value.code == "payment_not_cancelable"


async def test_only_operators_verify(store: Any, uow: Any) -> None:
    paid = payment(store, "pending_verification")
    approve = VerifyPaymentRequest(decision="approve")

    with pytest.raises(PermissionDenied):
        await payment_commands.verify_payment(paid.id, approve, principal=MERCHANT, uow=uow)
    await payment_commands.verify_payment(paid.id, approve, principal=OPERATOR, uow=uow)

    assert staged(store) == ["VerifyPayment"]


async def test_refunds_never_sum_past_the_captured_amount(store: Any, uow: Any) -> None:
    paid = payment(store, "captured", amount_captured=6_000)

    await refund_commands.create_refund(
        CreateRefundRequest(payment_id=paid.id, amount=2_000), principal=MERCHANT, uow=uow
    )
    await refund_commands.create_refund(
        CreateRefundRequest(payment_id=paid.id, amount=3_000), principal=MERCHANT, uow=uow
    )
    with pytest.raises(Conflict) as refused:
        await refund_commands.create_refund(
            CreateRefundRequest(payment_id=paid.id, amount=1_001), principal=MERCHANT, uow=uow
        )
    rest = await refund_commands.create_refund(
        CreateRefundRequest(payment_id=paid.id), principal=MERCHANT, uow=uow
    )

    assert refused.value.code == "amount_exceeds_refundable"
    assert rest.amount == 1_000
    assert staged(store) == ["RefundPayment"] * 3


async def test_a_failed_refund_frees_its_amount(store: Any, uow: Any) -> None:
    paid = payment(store, "captured", amount_captured=6_000)
    failed = Refund("re_1", paid.id, "mch_1", 6_000, "PHP", None, utcnow(), utcnow(), "failed")
    store.refunds[failed.id] = failed

    refund = await refund_commands.create_refund(
        CreateRefundRequest(payment_id=paid.id), principal=MERCHANT, uow=uow
    )

    assert refund.amount == 6_000


def test_idempotent_answers() -> None:
    now = utcnow()
    request = IdempotentRequest("k", "fp")
    stored = StoredAnswer("fp", 201, {"id": "pay_1"}, True, now)

    assert isinstance(answer_again(stored, request, now), Replay)
    with pytest.raises(Conflict, match="same parameters"):
        answer_again(replace(stored, fingerprint="other"), request, now)
    with pytest.raises(Conflict) as in_progress:
        answer_again(replace(stored, completed=False), request, now)
    assert in_progress.value.code == "idempotency_request_in_progress"
    stale = replace(stored, completed=False, created_at=now - timedelta(seconds=31))
    assert answer_again(stale, request, now).body == {"id": "pay_1"}


async def test_openapi_declares_errors_and_examples_for_every_route(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]

    for path, operations in spec["paths"].items():
        if not path.startswith(("/v1/payments", "/v1/refunds")):
            continue  # merchant settings and payment methods document themselves
        for method, operation in operations.items():
            assert "4XX" in operation["responses"], (method, path)
            assert "401" in operation["responses"], (method, path)
            if method == "post" and "requestBody" in operation:
                ref = operation["requestBody"]["content"]["application/json"]["schema"]
                name = (ref.get("$ref") or ref["anyOf"][0]["$ref"]).rsplit("/", 1)[-1]
                assert schemas[name].get("examples"), name
    assert spec["paths"]["/v1/payments/{payment_id}/verify"]["post"]["responses"]["403"]
    assert schemas["PaymentObject"]["examples"]


async def test_events_feed_the_timeline_refunds_and_answer_refused_operations(
    store: Any, uow: Any
) -> None:
    now = utcnow()
    state = PaymentSnapshot(
        payment_id="pay_1",
        merchant_id="mch_1",
        version=4,
        status="captured",
        amount=10_000,
        amount_capturable=0,
        amount_captured=10_000,
        amount_refunded=0,
        currency="PHP",
        capture_method="automatic",
        payment_method_type="card",
        provider="stripe",
        provider_reference="pi_1",
        failure=None,
        created_at=now,
        updated_at=now,
    )
    refund = RefundSnapshot(
        refund_id="re_1",
        payment_id="pay_1",
        merchant_id="mch_1",
        amount=500,
        currency="PHP",
        reason=None,
        status="failed",
        provider="stripe",
        provider_reference=None,
        failure=PaymentFailure(code="expired_card", message="no"),
        created_at=now,
        updated_at=now,
    )
    refused = PaymentOperationFailed(
        payment=state,
        operation="cancel",
        failure=PaymentFailure(code="payment_not_cancelable", message="captured"),
    )

    await read_model.apply_payment_events(
        [refused, RefundFailed(payment=state, refund=refund)], uow=uow
    )

    assert uow.answered == ["pay_1"]
    assert [r.status for r in uow.applied_refunds] == ["failed"]
    assert [(e.type, e.operation, e.refund_id) for e in store.timeline] == [
        ("PaymentOperationFailed", "cancel", None),
        ("RefundFailed", None, "re_1"),
    ]
    # The same event again gets the same id, so the timeline stores it once.
    again = read_model.timeline_event(refused)
    assert again.event_id == store.timeline[0].event_id
