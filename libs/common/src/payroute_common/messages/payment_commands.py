"""Commands on topic `payment.commands` (gateway-api → orchestrator).

The gateway checks each command against its read model before sending it; the
orchestrator's aggregate is the final judge and answers a refusal with an event
(`PaymentOperationFailed`, `RefundFailed`), so every command gets an answer.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from payroute_common.envelope import Message
from payroute_common.messages.values import CaptureMethod, PaymentMethod, RoutingPreferences
from payroute_common.money import CurrencyCode, MinorUnits

# Platform fees are rates in parts per million of the captured amount (1.5 % = 15_000).
PPM = 1_000_000


class CreatePayment(Message):
    event_type = "CreatePayment"

    payment_id: str
    merchant_id: str
    amount: MinorUnits
    currency: CurrencyCode
    capture_method: CaptureMethod
    payment_method: PaymentMethod
    provider: str | None = None
    order_id: str | None = None
    customer_id: str | None = None
    description: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    return_url: str | None = None
    created_at: datetime
    platform_fee_ppm: int = Field(default=0, ge=0, le=PPM)
    routing: RoutingPreferences = Field(default_factory=RoutingPreferences)
    # Manual methods only: how long an operator has to verify before the payment fails.
    verification_ttl_seconds: int | None = Field(default=None, ge=1)


class CapturePayment(Message):
    """Capture an authorized payment; `amount` None captures all that is capturable."""

    event_type = "CapturePayment"

    payment_id: str
    merchant_id: str
    amount: MinorUnits | None = None
    requested_at: datetime


class CancelPayment(Message):
    """Void an authorized payment."""

    event_type = "CancelPayment"

    payment_id: str
    merchant_id: str
    requested_at: datetime


class RefundPayment(Message):
    """Give back `amount` of a captured payment under the refund id the gateway chose."""

    event_type = "RefundPayment"

    refund_id: str
    payment_id: str
    merchant_id: str
    amount: MinorUnits
    currency: CurrencyCode
    reason: str | None = None
    created_at: datetime


class VerifyPayment(Message):
    """An operator's decision on a manual payment waiting in `pending_verification`."""

    event_type = "VerifyPayment"

    payment_id: str
    merchant_id: str
    decision: Literal["approve", "reject"]
    operator_key_id: str
    note: str | None = None
    requested_at: datetime
