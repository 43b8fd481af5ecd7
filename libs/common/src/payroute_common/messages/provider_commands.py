"""Commands on topic `provider.commands` (orchestrator → provider-worker)."""

from pydantic import Field

from payroute_common.envelope import Message
from payroute_common.messages.values import CaptureMethod, PaymentMethod
from payroute_common.money import CurrencyCode, MinorUnits


class AuthorizePayment(Message):
    """Ask one provider to authorize (and, with automatic capture, capture).

    `attempt_id` is the idempotency key the provider sees: however often this
    command is delivered, the provider moves money at most once.
    """

    event_type = "AuthorizePayment"

    payment_id: str
    attempt_id: str
    provider: str
    amount: MinorUnits
    currency: CurrencyCode
    capture_method: CaptureMethod
    payment_method: PaymentMethod
    description: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
