"""Commands on topic `provider.commands` (orchestrator → provider-worker).

Each carries the id the provider sees as idempotency key (`attempt_id` or
`operation_id`): however often a command is delivered, money moves at most once.
"""

from pydantic import Field

from payroute_common.envelope import Message
from payroute_common.messages.values import CaptureMethod, PaymentMethod
from payroute_common.money import CurrencyCode, MinorUnits


class AuthorizePayment(Message):
    """Ask one provider to authorize (and, with automatic capture, capture)."""

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
    return_url: str | None = None


class CaptureAuthorization(Message):
    """Capture `amount` of an authorization; the rest is released."""

    event_type = "CaptureAuthorization"

    payment_id: str
    operation_id: str
    provider: str
    provider_reference: str
    amount: MinorUnits
    currency: CurrencyCode


class VoidAuthorization(Message):
    event_type = "VoidAuthorization"

    payment_id: str
    operation_id: str
    provider: str
    provider_reference: str


class RefundCharge(Message):
    """Refund `amount` of a captured charge; `operation_id` is the refund id."""

    event_type = "RefundCharge"

    payment_id: str
    operation_id: str
    provider: str
    provider_reference: str
    amount: MinorUnits
    currency: CurrencyCode
    reason: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
