"""The payment requests merchants send and the payment object they get back (SPEC section 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway_api.domain import Decision, Payment
from gateway_api.payments.rules import (
    METADATA_KEY_MAX_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX_LENGTH,
    RESERVED_METADATA_KEYS,
)
from payroute_common.messages import PaymentFailure, PaymentMethod
from payroute_common.messages.values import (
    CaptureMethod,
    DisputeSummary,
    PaymentStatus,
)
from payroute_common.money import CurrencyCode

# Twelve digits of minor units: far above any per-currency limit, well inside BIGINT.
MAX_AMOUNT = 999_999_999_999


Amount = Annotated[
    int,
    Field(
        strict=True,
        gt=0,
        le=MAX_AMOUNT,
        description="A positive integer in the currency's minor unit (1050 = 10.50 PHP).",
    ),
]


# The limits are checked by `payment_rules` (400 with a code per rule); the schema says them.
Metadata = Annotated[
    dict[str, str],
    Field(
        description=f"Up to {METADATA_MAX_KEYS} string keys of at most {METADATA_KEY_MAX_LENGTH} "
        f"characters, with string values of at most {METADATA_VALUE_MAX_LENGTH} characters "
        "(Stripe's 50 keys less Payroute's own `payment_id`, `attempt_id` and `traceparent`, "
        "which are reserved). Over a limit: 400 with param `metadata` and code "
        "`metadata_too_many_keys`, `metadata_key_too_long`, `metadata_value_too_long`, "
        "`metadata_key_reserved` or `metadata_key_invalid` (empty key).",
        json_schema_extra={
            "maxProperties": METADATA_MAX_KEYS,
            "propertyNames": {
                "minLength": 1,
                "maxLength": METADATA_KEY_MAX_LENGTH,
                "not": {"enum": sorted(RESERVED_METADATA_KEYS)},
            },
            "additionalProperties": {"type": "string", "maxLength": METADATA_VALUE_MAX_LENGTH},
        },
    ),
]


ShortText = Annotated[str, Field(min_length=1, max_length=255)]


class CreatePaymentRequest(BaseModel):
    """`POST /v1/payments`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "amount": 150_000,
                    "currency": "PHP",
                    "capture_method": "manual",
                    "payment_method": {"type": "card", "token": "pm_card_visa"},
                    "order_id": "ord_1042",
                    "metadata": {"cart": "42"},
                }
            ]
        },
    )

    amount: Amount
    currency: CurrencyCode = Field(description="ISO 4217 code, e.g. PHP.")
    capture_method: CaptureMethod = Field(
        default="automatic", description="`automatic` charges; `manual` only authorizes."
    )
    payment_method: PaymentMethod
    order_id: ShortText | None = None
    customer_id: ShortText | None = None
    description: Annotated[str, Field(max_length=1000)] | None = None
    metadata: Metadata = Field(default_factory=dict)
    provider: (
        Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", description="Preferred provider.")]
        | None
    ) = None
    return_url: (
        Annotated[
            str,
            Field(
                max_length=2048,
                pattern=r"^https?://\S+$",
                description="Where wallet or 3-D Secure flows send the customer back. "
                "Required for gcash, maya and paymongo (400 `parameter_missing`).",
            ),
        ]
        | None
    ) = None


class CapturePaymentRequest(BaseModel):
    """`POST /v1/payments/{id}/capture`: `amount` defaults to all that is capturable."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount": 100_000}]})

    amount: Amount | None = None


class CancelPaymentRequest(BaseModel):
    """`POST /v1/payments/{id}/cancel` (the body may be empty)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}]})


class VerifyPaymentRequest(BaseModel):
    """`POST /v1/payments/{id}/verify` (operator and admin keys)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"decision": "approve", "note": "Cash counted"}]},
    )

    decision: Decision
    note: Annotated[str, Field(max_length=1000)] | None = None


class Fees(BaseModel):
    provider_fee: int
    platform_fee: int
    net: int


class AttemptSummary(BaseModel):
    provider: str
    outcome: str
    error_code: str | None = None
    latency_ms: int | None = None


class NextAction(BaseModel):
    type: Literal["redirect_to_url"]
    redirect_url: str


class Dispute(BaseModel):
    """A chargeback opened by the customer's bank; `outcome` once it is closed."""

    id: str
    amount: int
    currency: str
    reason: str | None = Field(default=None, description="The provider's reason, e.g. fraudulent.")
    status: str = Field(description="The provider's status: needs_response, under_review, won, ...")
    outcome: Literal["won", "lost"] | None = None
    created_at: datetime
    closed_at: datetime | None = None


PAYMENT_EXAMPLE: dict[str, Any] = {
    "id": "pay_3f9c",
    "object": "payment",
    "status": "captured",
    "amount": 150_000,
    "amount_capturable": 0,
    "amount_captured": 150_000,
    "amount_refunded": 0,
    "currency": "PHP",
    "capture_method": "automatic",
    "payment_method": {"type": "card", "token": "pm_card_visa"},
    "provider": "stripe",
    "provider_reference": "pi_123",
    "fees": {"provider_fee": 5_850, "platform_fee": 4_500, "net": 139_650},
    "attempts": [
        {"provider": "stripe", "outcome": "succeeded", "error_code": None, "latency_ms": 310}
    ],
    "failure": None,
    "next_action": None,
    "verification_expires_at": None,
    "dispute": None,
    "order_id": "ord_1042",
    "customer_id": None,
    "description": None,
    "metadata": {"cart": "42"},
    "created_at": "2026-11-22T08:00:00Z",
    "updated_at": "2026-11-22T08:00:01Z",
}


class PaymentObject(BaseModel):
    """The payment as merchants see it (SPEC section 3)."""

    model_config = ConfigDict(json_schema_extra={"examples": [PAYMENT_EXAMPLE]})

    id: str
    object: Literal["payment"] = "payment"
    status: PaymentStatus
    amount: int
    amount_capturable: int
    amount_captured: int
    amount_refunded: int
    currency: str
    capture_method: CaptureMethod
    payment_method: PaymentMethod
    provider: str | None
    provider_reference: str | None
    fees: Fees | None = None
    attempts: list[AttemptSummary] = Field(default_factory=list)
    failure: PaymentFailure | None
    next_action: NextAction | None = None
    verification_expires_at: datetime | None = Field(
        default=None, description="Manual methods: when an unverified payment fails."
    )
    dispute: Dispute | None = None
    order_id: str | None
    customer_id: str | None
    description: str | None
    metadata: dict[str, str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, payment: Payment) -> PaymentObject:
        return cls(
            id=payment.id,
            status=payment.status,
            amount=payment.amount,
            amount_capturable=payment.amount_capturable,
            amount_captured=payment.amount_captured,
            amount_refunded=payment.amount_refunded,
            currency=payment.currency,
            capture_method=payment.capture_method,
            payment_method=payment.payment_method,
            provider=payment.provider,
            provider_reference=payment.provider_reference,
            failure=payment.failure,
            fees=Fees.model_validate(payment.fees.model_dump()) if payment.fees else None,
            attempts=[AttemptSummary.model_validate(a.model_dump()) for a in payment.attempts],
            next_action=(
                NextAction.model_validate(payment.next_action.model_dump())
                if payment.next_action
                else None
            ),
            verification_expires_at=payment.verification_expires_at,
            dispute=_dispute(payment.dispute) if payment.dispute else None,
            order_id=payment.order_id,
            customer_id=payment.customer_id,
            description=payment.description,
            metadata=payment.metadata,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
        )


def _dispute(dispute: DisputeSummary) -> Dispute:
    return Dispute(
        id=dispute.dispute_id,
        amount=dispute.amount,
        currency=dispute.currency,
        reason=dispute.reason,
        status=dispute.status,
        outcome=dispute.outcome,
        created_at=dispute.opened_at,
        closed_at=dispute.closed_at,
    )


class PaymentList(BaseModel):
    """A page of payments, newest first; `has_more` says whether another page follows."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "object": "list",
                    "data": [PAYMENT_EXAMPLE],
                    "has_more": False,
                    "url": "/v1/payments",
                }
            ]
        }
    )

    object: Literal["list"] = "list"
    data: list[PaymentObject]
    has_more: bool
    url: str
