"""One function per analytics question: whose figures, which range, which rows.

Merchant and operator keys see their own merchant's figures; admin keys see the
whole platform, or one merchant with `merchant_id`. A merchant or operator key
naming another merchant gets 403 and no figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway_api.admin.roles import require_role
from gateway_api.analytics import params
from gateway_api.analytics.reader import AnalyticsReader
from gateway_api.analytics.report import FailureRow, PaymentsRow, payments_row
from gateway_api.domain import Principal


@dataclass(frozen=True)
class Question:
    """The raw query parameters, as sent."""

    start: str | None = None
    end: str | None = None
    merchant_id: str | None = None
    group_by: str | None = None


@dataclass(frozen=True)
class PaymentsReport:
    span: params.TimeRange
    group_by: params.GroupBy
    merchant_id: str | None  # None: every merchant
    rows: list[PaymentsRow]


@dataclass(frozen=True)
class FailuresReport:
    span: params.TimeRange
    merchant_id: str | None
    rows: list[FailureRow]


def scope(principal: Principal, merchant_id: str | None) -> str | None:
    """The merchant whose figures `principal` gets (None: every merchant, admin keys only)."""
    if merchant_id is not None and merchant_id != principal.merchant_id:
        require_role(principal, "admin", "read another merchant's analytics")
    if principal.role == "admin":
        return merchant_id
    return principal.merchant_id


async def payments_report(
    question: Question,
    *,
    principal: Principal,
    reader: AnalyticsReader,
    now: datetime,
    max_range_days: int,
) -> PaymentsReport:
    span = params.time_range(question.start, question.end, now=now, max_days=max_range_days)
    grouping = params.group_by(question.group_by)
    merchant_id = scope(principal, question.merchant_id)
    summed = await reader.payments(merchant_id, span, grouping)
    return PaymentsReport(span, grouping, merchant_id, [payments_row(s) for s in summed])


async def failures_report(
    question: Question,
    *,
    principal: Principal,
    reader: AnalyticsReader,
    now: datetime,
    max_range_days: int,
) -> FailuresReport:
    span = params.time_range(question.start, question.end, now=now, max_days=max_range_days)
    merchant_id = scope(principal, question.merchant_id)
    return FailuresReport(span, merchant_id, await reader.failures(merchant_id, span))
