"""Payment snapshots as the orchestrator's events carry them."""

from datetime import UTC, datetime, timedelta
from typing import Any

from payroute_common.messages import PaymentSnapshot, RefundSnapshot

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def snapshot(version: int, status: str = "processing", **changes: Any) -> PaymentSnapshot:
    captured = status in {"captured", "partially_refunded", "refunded"}
    fields: dict[str, Any] = {
        "payment_id": "pay_1",
        "merchant_id": "mch_1",
        "version": version,
        "status": status,
        "amount": 10_000,
        "amount_capturable": 0,
        "amount_captured": 10_000 if captured else 0,
        "amount_refunded": 0,
        "currency": "PHP",
        "capture_method": "automatic",
        "payment_method_type": "card",
        "provider": "stripe",
        "provider_reference": "pi_1" if version > 1 else None,
        "failure": None,
        "created_at": T0,
        "updated_at": T0 + timedelta(seconds=version),
    }
    fields.update(changes)
    return PaymentSnapshot.model_validate(fields)


def refund(refund_id: str, amount: int, status: str, **changes: Any) -> RefundSnapshot:
    fields: dict[str, Any] = {
        "refund_id": refund_id,
        "payment_id": "pay_1",
        "merchant_id": "mch_1",
        "amount": amount,
        "currency": "PHP",
        "reason": None,
        "status": status,
        "provider": "stripe",
        "provider_reference": f"{refund_id}_stripe" if status == "succeeded" else None,
        "failure": None,
        "created_at": T0 + timedelta(minutes=1),
        "updated_at": T0 + timedelta(minutes=5 if status != "pending" else 1),
    }
    fields.update(changes)
    return RefundSnapshot.model_validate(fields)
