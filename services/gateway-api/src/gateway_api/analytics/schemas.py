"""The analytics answers (JSON); the CSV form has the same rows, one column per field."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from gateway_api.analytics.handlers import FailuresReport, PaymentsReport
from gateway_api.analytics.params import GroupBy

MONEY = "Integer in the row's currency's minor unit; sums never mix currencies."


class PaymentsRowObject(BaseModel):
    group: str = Field(
        description="The provider, payment method, currency or UTC day (YYYY-MM-DD). "
        "Payments not yet routed show provider `none`."
    )
    currency: str = Field(description="ISO 4217: each group has one row per currency.")
    count: int = Field(description="Payments created in the range (open ones included).")
    succeeded: int = Field(description="Payments authorized or captured.")
    failed: int
    success_rate: float | None = Field(
        description="succeeded / (succeeded + failed), 4 decimals; null when none is decided."
    )
    volume: int = Field(description=f"Amount captured (refunds not deducted). {MONEY}")
    provider_fees: int = Field(description=MONEY)
    platform_fees: int = Field(description=MONEY)
    net: int = Field(description=f"volume - provider_fees - platform_fees. {MONEY}")
    avg_processing_ms: int | None = Field(
        description="Mean time from creation to success or failure; null when none is decided."
    )
    p95_processing_ms: int | None = Field(
        description="95th percentile of that time, estimated from fixed histogram buckets "
        "(100 ms to 24 h; exact to the bucket)."
    )


class PaymentsAnalytics(BaseModel):
    object: Literal["analytics.payments"] = "analytics.payments"
    from_: datetime = Field(alias="from", description="Range start (inclusive, UTC).")
    to: datetime = Field(description="Range end (exclusive, UTC).")
    group_by: GroupBy
    merchant_id: str | None = Field(description="Whose payments; null: the whole platform.")
    data: list[PaymentsRowObject]

    @classmethod
    def of(cls, report: PaymentsReport) -> PaymentsAnalytics:
        return cls.model_validate(
            {
                "from": report.span.start,
                "to": report.span.end,
                "group_by": report.group_by,
                "merchant_id": report.merchant_id,
                "data": [vars(row) for row in report.rows],
            }
        )


class FailureRowObject(BaseModel):
    provider: str = Field(description="The provider the payment failed at (`none`: before any).")
    reason: str = Field(description="The payment's failure code (e.g. `card_declined`).")
    count: int


class FailuresAnalytics(BaseModel):
    object: Literal["analytics.failures"] = "analytics.failures"
    from_: datetime = Field(alias="from")
    to: datetime
    merchant_id: str | None
    data: list[FailureRowObject]

    @classmethod
    def of(cls, report: FailuresReport) -> FailuresAnalytics:
        return cls.model_validate(
            {
                "from": report.span.start,
                "to": report.span.end,
                "merchant_id": report.merchant_id,
                "data": [vars(row) for row in report.rows],
            }
        )
