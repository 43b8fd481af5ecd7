"""Payment and webhook events as metrics-exporter receives them."""

from datetime import UTC, datetime
from typing import Any

from payroute_common.messages import (
    PaymentCaptured,
    PaymentCreated,
    PaymentFailed,
    PaymentFailure,
    PaymentSnapshot,
    ProviderWebhookReceived,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


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


def failed(payment_id: str = "pay_1", **changes: Any) -> PaymentFailed:
    failure = PaymentFailure(code="card_declined", message="declined")
    return PaymentFailed(payment=snapshot(payment_id, "failed", failure=failure, **changes))


def created(payment_id: str = "pay_1") -> PaymentCreated:
    return PaymentCreated(payment=snapshot(payment_id, "processing"), reason="test")


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
