"""Refund news by webhook: it settles a pending refund the synchronous answer left open. Pure.

Which refund: the one the provider names (Payroute's refund id echoed in its
metadata, or the provider's own refund reference); else, for news about refunds
of the whole charge (Stripe's `charge.refunded`, which tells the total refunded
on the charge so far), the pending refund that accounts for the part of that
total no settled refund explains: the one with exactly that amount, or all the
pending ones when together they make it. Anything less clear settles nothing.

Only a pending refund moves, so a duplicate, late or already-answered piece of
news never counts a refund twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orchestrator.domain.payment import Payment
from orchestrator.domain.refunds import Refund, refund_failed, refund_succeeded
from payroute_common.messages import PaymentFailure


@dataclass(frozen=True)
class RefundNews:
    provider: str
    provider_reference: str
    outcome: Literal["refunded", "failed"]
    refund_id: str | None = None
    amount_refunded: int | None = None  # total refunded on the charge, for charge-level news
    reason: str | None = None


def _named(refunds: Sequence[Refund], news: RefundNews) -> Refund | None:
    for refund in refunds:
        if news.refund_id is not None and refund.refund_id == news.refund_id:
            return refund
    for refund in refunds:
        if (refund.provider, refund.provider_reference) == (news.provider, news.provider_reference):
            return refund
    return None


def _accounting_for(refunds: Sequence[Refund], total: int | None) -> list[Refund]:
    """The pending refunds that explain a charge's refunded `total`, when that is clear."""
    if total is None:
        return []
    settled = sum(r.amount for r in refunds if r.status == "succeeded")
    unexplained = total - settled
    pending = sorted((r for r in refunds if r.status == "pending"), key=lambda r: r.created_at)
    if unexplained <= 0 or not pending:
        return []
    exact = [r for r in pending if r.amount == unexplained]
    if exact:
        return exact[:1]
    return pending if sum(r.amount for r in pending) == unexplained else []


def refunds_news(
    payment: Payment, refunds: Sequence[Refund], news: RefundNews, now: datetime
) -> list[tuple[Refund, str]]:
    """Apply `news` to the payment's refunds: each refund it settled, with the reason."""
    named = _named(refunds, news)
    if named is not None:
        targets = [named]
    elif news.outcome == "refunded" and news.provider_reference == payment.provider_reference:
        targets = _accounting_for(refunds, news.amount_refunded)
    else:
        targets = []
    settled = []
    for refund in targets:
        if news.outcome == "refunded":
            own = news.provider_reference != payment.provider_reference
            reference = news.provider_reference if own else refund.provider_reference
            reason = refund_succeeded(payment, refund, reference, now)
        else:
            detail = f": {news.reason}" if news.reason else ""
            failure = PaymentFailure(
                code="refund_failed", message=f"{news.provider} reports the refund failed{detail}"
            )
            reason = refund_failed(payment, refund, failure, now)
        if reason is not None:
            settled.append((refund, f"{reason} ({news.provider} news)"))
    return settled
