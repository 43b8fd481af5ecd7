"""The public API's request and response models (separate from storage and messages)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway_api.domain import Payment
from payroute_common.messages import PaymentFailure, PaymentMethod
from payroute_common.messages.values import CaptureMethod, PaymentStatus
from payroute_common.money import CurrencyCode

# Twelve digits of minor units: far above any per-currency limit, well inside BIGINT.
MAX_AMOUNT = 999_999_999_999
METADATA_MAX_KEYS = 50
METADATA_KEY_MAX_LENGTH = 40
METADATA_VALUE_MAX_LENGTH = 500

Amount = Annotated[
    int,
    Field(
        strict=True,
        gt=0,
        le=MAX_AMOUNT,
        description="A positive integer in the currency's minor unit (1050 = 10.50 PHP).",
    ),
]
MetadataKey = Annotated[str, Field(min_length=1, max_length=METADATA_KEY_MAX_LENGTH)]
MetadataValue = Annotated[str, Field(max_length=METADATA_VALUE_MAX_LENGTH)]
Metadata = Annotated[
    dict[MetadataKey, MetadataValue],
    Field(
        max_length=METADATA_MAX_KEYS,
        description="Up to 50 string keys (40 chars) with string values (500 chars).",
    ),
]
ShortText = Annotated[str, Field(min_length=1, max_length=255)]


class CreatePaymentRequest(BaseModel):
    """`POST /v1/payments`."""

    model_config = ConfigDict(extra="forbid")

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
                description="Where wallet or 3-D Secure flows send the customer back.",
            ),
        ]
        | None
    ) = None


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


class PaymentObject(BaseModel):
    """The payment as merchants see it (SPEC section 3)."""

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
            order_id=payment.order_id,
            customer_id=payment.customer_id,
            description=payment.description,
            metadata=payment.metadata,
            created_at=payment.created_at,
            updated_at=payment.updated_at,
        )


class ErrorDetail(BaseModel):
    type: Literal["invalid_request_error", "authentication_error", "api_error"]
    code: str
    message: str
    param: str | None = Field(default=None, description="The offending parameter, if any.")


class ErrorResponse(BaseModel):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route: its error statuses, all in the one error shape."""
    described: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorResponse, "description": DESCRIPTIONS[status]} for status in statuses
    }
    # Declaring 4XX also keeps FastAPI from advertising a 422 this API never sends.
    described["4XX"] = {"model": ErrorResponse, "description": "Other client errors"}
    return described


DESCRIPTIONS = {
    400: "Invalid request (parameter_invalid, parameter_missing, parameter_unknown, json_invalid)",
    401: "Missing, unknown or revoked API key",
    404: "No such object for this merchant",
    413: "Request body over the size limit",
    500: "Unexpected error (no details leak)",
}
