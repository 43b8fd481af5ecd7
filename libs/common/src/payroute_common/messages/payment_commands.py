"""Commands on topic `payment.commands` (gateway-api → orchestrator)."""

from datetime import datetime

from pydantic import Field

from payroute_common.envelope import Message
from payroute_common.messages.values import CaptureMethod, PaymentMethod
from payroute_common.money import CurrencyCode, MinorUnits


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
