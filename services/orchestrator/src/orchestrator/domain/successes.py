"""A provider's success for one attempt, however it arrives (the synchronous answer,
the answer to the same request sent again, a status query, a webhook). Pure.

Three cases: the attempt is still open and the payment waits for it (the payment
moves on); the attempt already succeeded (the same news again: nothing changes);
or the payment no longer needs it (a late success: given back, see `late`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orchestrator.domain.attempts import Attempt, Reversal
from orchestrator.domain.late import reverse
from orchestrator.domain.payment import Payment
from orchestrator.domain.states import OPEN_ATTEMPTS
from payroute_common.messages.values import PaymentStatus

Success = Literal["captured", "authorized", "requires_action"]
# A payment in these statuses still waits for its open attempt's success.
WAITING: frozenset[PaymentStatus] = frozenset({"processing", "requires_action"})


@dataclass(frozen=True)
class SuccessNews:
    attempt_id: str
    outcome: Success
    provider_reference: str
    amount: int | None = None  # what the provider took or holds, when it says
    latency_ms: int | None = None
    redirect_url: str | None = None


@dataclass(frozen=True)
class Applied:
    """`reason` for the timeline when something changed; with `reversal`, the success
    was late and is being given back (`reason` says so)."""

    reason: str | None = None
    reversal: Reversal | None = None


def needed(payment: Payment, attempt: Attempt) -> bool:
    """The payment still waits for what `attempt` may bring."""
    return attempt.status in OPEN_ATTEMPTS and payment.status in WAITING


def apply_success(payment: Payment, news: SuccessNews, reversal_id: str, now: datetime) -> Applied:
    """Apply `news`; `reversal_id` names the void or refund should it be late."""
    attempt = payment.attempt(news.attempt_id)
    if attempt.status == "succeeded":
        return Applied()  # the success that settled the payment, told again
    if not needed(payment, attempt):
        if news.outcome == "requires_action":
            return Applied()  # nothing taken: the customer has not finished
        late = reverse(
            payment,
            attempt,
            news.outcome,
            news.provider_reference,
            news.amount,
            reversal_id,
            now,
        )
        return Applied(late[1], late[0]) if late else Applied()
    reference, latency = news.provider_reference, news.latency_ms
    if news.outcome == "captured":
        reason = payment.record_capture(attempt.attempt_id, reference, latency, now, news.amount)
    elif news.outcome == "authorized":
        reason = payment.record_authorization(attempt.attempt_id, reference, latency, now)
    else:
        reason = payment.record_action_required(
            attempt.attempt_id, reference, news.redirect_url, latency, now
        )
    return Applied(reason)
