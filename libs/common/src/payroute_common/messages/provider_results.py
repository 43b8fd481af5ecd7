"""Events on topic `provider.results` (provider-worker → orchestrator)."""

from typing import Literal

from pydantic import Field

from payroute_common.envelope import Message
from payroute_common.messages.values import ProviderError
from payroute_common.money import CurrencyCode, MinorUnits

ProviderOperation = Literal["capture", "void", "refund"]


class ProviderAttemptSucceeded(Message):
    event_type = "ProviderAttemptSucceeded"

    payment_id: str
    attempt_id: str
    provider: str
    provider_reference: str
    outcome: Literal["captured", "authorized", "requires_action"]
    amount: MinorUnits
    currency: CurrencyCode
    latency_ms: int = Field(ge=0)
    redirect_url: str | None = None


class ProviderAttemptFailed(Message):
    event_type = "ProviderAttemptFailed"

    payment_id: str
    attempt_id: str
    provider: str
    provider_reference: str | None = None
    error: ProviderError
    latency_ms: int = Field(ge=0)


class ProviderOperationSucceeded(Message):
    """A capture, void or refund the provider confirmed.

    `outcome` `pending`: the provider accepted a refund and settles it later
    (Stripe and PayMongo answer so); its end comes by webhook or status query,
    and until then the refund holds its amount.
    """

    event_type = "ProviderOperationSucceeded"

    payment_id: str
    operation_id: str
    operation: ProviderOperation
    provider: str
    provider_reference: str
    amount: MinorUnits
    currency: CurrencyCode
    latency_ms: int = Field(ge=0)
    outcome: Literal["succeeded", "pending"] = "succeeded"


class ProviderOperationFailed(Message):
    """A capture, void or refund the provider refused, or whose outcome is unknown.

    Category `timeout` means undetermined (no answer in time, a 5xx or 429 after
    the request was sent, a lost connection, an unparseable answer): the provider
    may have done it, so the same command (same idempotency key) is sent again
    until a definite answer arrives.
    """

    event_type = "ProviderOperationFailed"

    payment_id: str
    operation_id: str
    operation: ProviderOperation
    provider: str
    error: ProviderError
    latency_ms: int = Field(ge=0)
