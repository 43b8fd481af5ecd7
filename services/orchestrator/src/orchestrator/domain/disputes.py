"""Disputes (chargebacks) the provider reports on a captured payment. Pure.

Opened: the payment becomes `disputed` (its money is held; it cannot be refunded)
and records the dispute. Closed: won, the payment goes back to what its amounts
say (`captured`, or `partially_refunded`); lost, the disputed amount is gone and
counts as refunded (never beyond the captured amount less what refunds already
hold), and the status follows from the amounts (`refunded` when nothing is left).

Provider news is idempotent and may arrive in any order: an opening already
known, or one of a dispute already closed, changes nothing; a closing that comes
before its opening records the dispute and settles it at once; a second closing
changes nothing. A charge is disputed once at most (Stripe's `charge.dispute`), so
news of another dispute on the same payment is ignored. A payment that cannot be
disputed (not captured yet, refunded, failed) still records the dispute, without
moving: terminal stays terminal; nor does a closing then move money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orchestrator.domain.payment import Payment
from payroute_common.messages.values import DisputeOutcome, DisputeSummary, PaymentStatus

# Provider dispute statuses that close a dispute, and what they mean for the merchant.
# Stripe (https://docs.stripe.com/api/disputes/object#dispute_object-status): an
# inquiry closed without a chargeback (`warning_closed`) leaves the money where it was.
CLOSING_STATUSES: dict[str, DisputeOutcome] = {
    "won": "won",
    "lost": "lost",
    "warning_closed": "won",
}
DISPUTABLE: frozenset[PaymentStatus] = frozenset({"captured", "partially_refunded"})


@dataclass(frozen=True)
class DisputeNews:
    """What the provider says about one dispute."""

    dispute_id: str
    amount: int | None
    currency: str | None
    reason: str | None
    status: str


def _settled_status(payment: Payment) -> PaymentStatus:
    if payment.amount_refunded >= payment.amount_captured:
        return "refunded"
    return "partially_refunded" if payment.amount_refunded else "captured"


def _describe(dispute: DisputeSummary) -> str:
    reason = f" ({dispute.reason})" if dispute.reason else ""
    return f"dispute {dispute.dispute_id} of {dispute.amount} {dispute.currency}{reason}"


def _summary(payment: Payment, news: DisputeNews, now: datetime) -> DisputeSummary:
    most = payment.amount_captured or payment.amount
    amount = news.amount if news.amount is not None else most
    return DisputeSummary(
        dispute_id=news.dispute_id,
        amount=min(amount, most),
        currency=news.currency or payment.currency,
        reason=news.reason,
        status=news.status,
        opened_at=now,
    )


def open_dispute(payment: Payment, news: DisputeNews, now: datetime) -> str | None:
    """The customer's bank disputes the payment; None when this is known already."""
    if payment.dispute is not None:
        return None  # known already; and a charge is disputed once at most
    payment.dispute = _summary(payment, news, now)
    what = _describe(payment.dispute)
    if payment.status not in DISPUTABLE:
        payment.touch(now)
        return f"{payment.provider} reports {what} on a {payment.status} payment"
    payment.move_to("disputed", now)
    return f"{payment.provider} reports {what}: the money is held until it is settled"


def close_dispute(payment: Payment, news: DisputeNews, now: datetime) -> str | None:
    """The dispute ended; None when it was closed already or the status closes nothing."""
    outcome = CLOSING_STATUSES.get(news.status)
    if outcome is None:
        return None
    known = payment.dispute
    if known is not None and (known.dispute_id != news.dispute_id or known.outcome is not None):
        return None
    dispute = known or _summary(payment, news, now)  # the closing may overtake the opening
    payment.dispute = dispute.model_copy(
        update={"status": news.status, "outcome": outcome, "closed_at": now}
    )
    what = _describe(payment.dispute)
    lost = 0
    if outcome == "lost" and payment.status in DISPUTABLE | {"disputed"}:
        held = payment.amount_refunded + payment.amount_refund_pending
        lost = max(0, min(dispute.amount, payment.amount_captured - held))
        payment.amount_refunded += lost
    settled = _settled_status(payment)
    if payment.status in DISPUTABLE | {"disputed"} and settled != payment.status:
        payment.move_to(settled, now)
    else:
        payment.touch(now)
    if outcome == "won":
        return f"{what} won: the money stays with the merchant"
    return f"{what} lost: {lost} returned to the customer"
