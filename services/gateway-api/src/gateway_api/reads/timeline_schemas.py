"""Response models of a payment's timeline (`GET /v1/payments/{id}/events`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gateway_api.domain import TimelineEvent
from payroute_common.messages import LateSuccess, PaymentFailure
from payroute_common.messages.values import PaymentStatus


class PaymentEventObject(BaseModel):
    """One entry of a payment's timeline."""

    id: str
    object: Literal["payment_event"] = "payment_event"
    type: str
    status: PaymentStatus
    reason: str | None
    version: int
    occurred_at: datetime
    refund_id: str | None = None
    refund_amount: int | None = None
    operation: str | None = None
    failure: PaymentFailure | None = Field(
        default=None, description="Why an operation or a refund failed."
    )
    late_success: LateSuccess | None = Field(
        default=None,
        description="LateSuccessFound/Reversed/ReversalFailed: money a provider took for an "
        "attempt the payment no longer needed, and how Payroute gives it back.",
    )

    @classmethod
    def of(cls, event: TimelineEvent) -> PaymentEventObject:
        return cls(
            id=event.event_id,
            type=event.type,
            status=event.status,
            reason=event.reason,
            version=event.version,
            occurred_at=event.occurred_at,
            refund_id=event.refund_id,
            refund_amount=event.refund_amount,
            operation=event.operation,
            failure=event.failure,
            late_success=event.late_success,
        )


class PaymentEventList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "object": "list",
                    "data": [
                        {
                            "id": "7d0c6f0e-7f5b-4d3a-9a55-2f0e9f3b1c11",
                            "object": "payment_event",
                            "type": "PaymentCreated",
                            "status": "processing",
                            "reason": "routed to stripe: healthy, cheapest",
                            "version": 1,
                            "occurred_at": "2026-11-22T08:00:00Z",
                        }
                    ],
                    "has_more": False,
                    "url": "/v1/payments/pay_3f9c/events",
                }
            ]
        }
    )

    object: Literal["list"] = "list"
    data: list[PaymentEventObject]
    has_more: bool = False
    url: str
