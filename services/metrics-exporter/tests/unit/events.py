"""Payment, refund and webhook events as metrics-exporter receives them."""

from datetime import UTC, datetime
from typing import Any

from payroute_common.messages import (
    Fees,
    PaymentAwaitingVerification,
    PaymentCaptured,
    PaymentCreated,
    PaymentEvent,
    PaymentFailed,
    PaymentFailure,
    PaymentSnapshot,
    ProviderWebhookReceived,
    RefundCreated,
    RefundFailed,
    RefundSnapshot,
    RefundSucceeded,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FEES = Fees(provider_fee=204, platform_fee=180, net=5_616)


def snapshot(payment_id: str, status: str, **changes: Any) -> PaymentSnapshot:
    fields: dict[str, Any] = {
        "payment_id": payment_id,
        "merchant_id": "mch_1",
        "version": 2,
        "status": status,
        "amount": 10_050,
        "amount_capturable": 0,
        "amount_captured": 10_050 if status == "captured" else 0,
        "amount_refunded": 0,
        "currency": "PHP",
        "capture_method": "automatic",
        "payment_method_type": "card",
        "provider": "stripe",
        "provider_reference": "pi_1",
        "failure": None,
        "created_at": T0,
        "updated_at": T0,
    }
    fields.update(changes)
    return PaymentSnapshot.model_validate(fields)


def captured(payment_id: str = "pay_1", **changes: Any) -> PaymentCaptured:
    return PaymentCaptured(payment=snapshot(payment_id, "captured", **changes))


def failed(payment_id: str = "pay_1", code: str = "card_declined", **changes: Any) -> PaymentFailed:
    failure = PaymentFailure(code=code, message="declined")
    return PaymentFailed(payment=snapshot(payment_id, "failed", failure=failure, **changes))


def created(payment_id: str = "pay_1", **changes: Any) -> PaymentCreated:
    return PaymentCreated(
        payment=snapshot(payment_id, "processing", version=1, **changes), reason="test"
    )


def manual(payment_id: str, status: str, version: int, **changes: Any) -> PaymentEvent:
    """A cash payment's event: waiting for an operator, approved or rejected."""
    kinds: dict[str, type[PaymentEvent]] = {
        "pending_verification": PaymentAwaitingVerification,
        "captured": PaymentCaptured,
        "failed": PaymentFailed,
    }
    payment = snapshot(
        payment_id,
        status,
        version=version,
        payment_method_type="cash",
        provider="manual",
        amount_captured=10_050 if status == "captured" else 0,
        **changes,
    )
    return kinds[status](payment=payment)


def refund(refund_id: str, amount: int, status: str) -> RefundSnapshot:
    return RefundSnapshot.model_validate(
        {
            "refund_id": refund_id,
            "payment_id": "pay_1",
            "merchant_id": "mch_1",
            "amount": amount,
            "currency": "PHP",
            "reason": None,
            "status": status,
            "provider": "stripe",
            "provider_reference": None,
            "failure": None,
            "created_at": T0,
            "updated_at": T0,
        }
    )


def partially_captured(version: int = 3) -> PaymentCaptured:
    payment = snapshot("pay_1", "captured", version=version, amount_captured=6_000, fees=FEES)
    return PaymentCaptured(payment=payment)


def refund_event(
    refund_id: str, amount: int, status: str, refunded: int, version: int
) -> RefundCreated | RefundSucceeded | RefundFailed:
    payment = snapshot(
        "pay_1",
        "partially_refunded" if refunded else "captured",
        version=version,
        amount_captured=6_000,
        amount_refunded=refunded,
        fees=FEES,
    )
    kind = {"pending": RefundCreated, "succeeded": RefundSucceeded, "failed": RefundFailed}[status]
    return kind(payment=payment, refund=refund(refund_id, amount, status))


def webhook(outcome: str = "succeeded", provider: str = "stripe") -> ProviderWebhookReceived:
    return ProviderWebhookReceived.model_validate(
        {
            "provider": provider,
            "provider_event_id": "evt_1",
            "provider_event_type": "payment_intent.succeeded",
            "subject": "payment",
            "outcome": outcome,
            "provider_reference": "pi_1",
            "payment_id": "pay_1",
            "amount": 10_050,
            "currency": "PHP",
            "received_at": T0,
        }
    )
