"""Value objects shared by several messages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from payroute_common.money import CurrencyCode, MinorUnits

PaymentMethodType = Literal["card", "gcash", "maya", "paymongo", "bank_transfer", "cash", "cheque"]
CaptureMethod = Literal["automatic", "manual"]
PaymentStatus = Literal[
    "pending",
    "processing",
    "requires_action",
    "pending_verification",
    "authorized",
    "captured",
    "partially_refunded",
    "refunded",
    "canceled",
    "failed",
    "disputed",
]
RefundStatus = Literal["pending", "succeeded", "failed"]
# How a closed dispute ended for the merchant: won (the money stays) or lost (it is gone).
DisputeOutcome = Literal["won", "lost"]
AttemptOutcome = Literal["pending", "succeeded", "failed", "unknown"]
# How providers a merchant has not ranked are ordered: as listed in the catalog,
# cheapest fee first, or best recent success rate first (with some exploration).
RoutingStrategy = Literal["priority", "cost", "success_rate"]
# Provider names are short slugs: `stripe`, `paymongo`, `manual` (cash, cheque, bank transfer).
ProviderName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
# `timeout` is every undetermined answer: no answer in time, a 5xx or 429 after the
# request was sent, a connection lost after sending, an unparseable answer. The
# provider may have acted; nothing else may take money until it says what it did.
# `authentication`: the provider refused Payroute's credentials (401/403); the
# request did nothing there, and the provider is misconfigured until it accepts them.
ErrorCategory = Literal[
    "hard_decline",
    "soft_decline",
    "provider_unavailable",
    "timeout",
    "invalid_request",
    "authentication",
]


class Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PaymentMethod(Value):
    type: PaymentMethodType
    token: str | None = Field(default=None, max_length=255)


class ProviderError(Value):
    """A provider failure normalized into Payroute's taxonomy, raw code kept."""

    category: ErrorCategory
    code: str
    message: str
    decline_code: str | None = None


class PaymentFailure(Value):
    code: str
    message: str
    decline_code: str | None = None


class Fees(Value):
    """What a captured payment cost: `provider_fee + platform_fee + net == amount_captured`."""

    provider_fee: MinorUnits
    platform_fee: MinorUnits
    net: int


class AttemptSummary(Value):
    """One try at one provider, as the payment shows it."""

    attempt_id: str
    provider: str
    outcome: AttemptOutcome
    error_code: str | None = None
    latency_ms: int | None = None


class NextAction(Value):
    """What the customer must do before the payment can go on (wallet or 3-D Secure)."""

    type: Literal["redirect_to_url"] = "redirect_to_url"
    redirect_url: str


class DisputeSummary(Value):
    """A chargeback the customer's bank opened against a captured payment.

    `status` is the provider's own word for the dispute's stage (Stripe: `needs_response`,
    `under_review`, `won`, `lost`, ...); `outcome` is set once the dispute is closed.
    """

    dispute_id: str
    amount: MinorUnits
    currency: CurrencyCode
    reason: str | None = None
    status: str
    outcome: DisputeOutcome | None = None
    opened_at: datetime
    closed_at: datetime | None = None


class ProviderPriority(Value):
    """Providers to try, in order, for one method and/or currency (None matches any)."""

    payment_method: PaymentMethodType | None = None
    currency: CurrencyCode | None = None
    providers: list[ProviderName] = Field(min_length=1, max_length=10)


class RoutingPreferences(Value):
    """A merchant's routing configuration, sent with each payment it creates."""

    priorities: list[ProviderPriority] = Field(default_factory=list, max_length=50)
    volume_split: dict[ProviderName, Annotated[int, Field(ge=0, le=1000)]] = Field(
        default_factory=dict
    )
    fallback: bool = True
    max_attempts: int = Field(default=3, ge=1, le=5)
    strategy: RoutingStrategy = "priority"


class PaymentSnapshot(Value):
    """The state of a payment after a change: event-carried state transfer."""

    payment_id: str
    merchant_id: str
    version: int = Field(ge=1)
    status: PaymentStatus
    amount: MinorUnits
    amount_capturable: MinorUnits
    amount_captured: MinorUnits
    amount_refunded: MinorUnits
    currency: CurrencyCode
    capture_method: CaptureMethod
    payment_method_type: PaymentMethodType
    provider: str | None
    provider_reference: str | None
    failure: PaymentFailure | None
    created_at: datetime
    updated_at: datetime
    fees: Fees | None = None
    attempts: list[AttemptSummary] = Field(default_factory=list)
    next_action: NextAction | None = None
    verification_expires_at: datetime | None = None
    dispute: DisputeSummary | None = None


class RefundSnapshot(Value):
    """The state of a refund after a change."""

    refund_id: str
    payment_id: str
    merchant_id: str
    amount: MinorUnits
    currency: CurrencyCode
    reason: str | None
    status: RefundStatus
    provider: str | None
    provider_reference: str | None
    failure: PaymentFailure | None
    created_at: datetime
    updated_at: datetime


LateSuccessReversal = Literal["void", "refund"]


class LateSuccess(Value):
    """Money a provider took or held for an attempt the payment no longer needed
    (it was given up, or another attempt captured), and how Payroute gives it back:
    `void` for an authorization, `refund` for a capture, sent as `operation_id`."""

    attempt_id: str
    provider: str
    provider_reference: str
    amount: MinorUnits
    currency: CurrencyCode
    kind: LateSuccessReversal
    operation_id: str
