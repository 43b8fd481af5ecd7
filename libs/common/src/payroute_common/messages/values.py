"""Value objects shared by several messages."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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
