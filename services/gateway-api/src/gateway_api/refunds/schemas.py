"""The refund request and the refund object."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from gateway_api.domain import Refund, RefundReason
from gateway_api.payments.schemas import Amount, ShortText
from payroute_common.messages import PaymentFailure
from payroute_common.messages.values import (
    RefundStatus,
)


class CreateRefundRequest(BaseModel):
    """`POST /v1/refunds`: `amount` defaults to everything still refundable."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"payment_id": "pay_3f9c", "amount": 5_000, "reason": "requested_by_customer"}
            ]
        },
    )

    payment_id: ShortText
    amount: Amount | None = None
    reason: RefundReason | None = None


class RefundObject(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "re_7a1b",
                    "object": "refund",
                    "payment_id": "pay_3f9c",
                    "status": "pending",
                    "amount": 5_000,
                    "currency": "PHP",
                    "reason": "requested_by_customer",
                    "provider": None,
                    "provider_reference": None,
                    "failure": None,
                    "created_at": "2026-11-22T08:05:00Z",
                    "updated_at": "2026-11-22T08:05:00Z",
                }
            ]
        }
    )

    id: str
    object: Literal["refund"] = "refund"
    payment_id: str
    status: RefundStatus
    amount: int
    currency: str
    reason: RefundReason | None
    provider: str | None
    provider_reference: str | None
    failure: PaymentFailure | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, refund: Refund) -> RefundObject:
        return cls(
            id=refund.id,
            payment_id=refund.payment_id,
            status=refund.status,
            amount=refund.amount,
            currency=refund.currency,
            reason=refund.reason,
            provider=refund.provider,
            provider_reference=refund.provider_reference,
            failure=refund.failure,
            created_at=refund.created_at,
            updated_at=refund.updated_at,
        )


class RefundList(BaseModel):
    object: Literal["list"] = "list"
    data: list[RefundObject]
    has_more: bool
    url: str
