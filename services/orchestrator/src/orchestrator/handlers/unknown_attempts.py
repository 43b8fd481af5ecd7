"""Attempts whose outcome is unknown: the provider is asked, again and again, until it tells.

A durable STATUS_QUERY timer per unknown attempt: each firing asks once and sets
the next firing further out (`RecoveryPolicy`), so a lost or late answer is
asked again; once the attempt is settled (by the answer, or by a webhook) the
next firing does nothing. Providers with idempotency keys (`RESENDABLE`) are
asked by sending the same AuthorizePayment again: they answer with what the
first request did, or do it now; either way the answer is definite. Every other
time they get a `QueryProviderStatus` instead, because a provider may keep
replaying an undetermined answer under the same key (Stripe stores a 500 it
answered and repeats it: https://docs.stripe.com/api/idempotent_requests), while
its status shows the truth. The others always get a `QueryProviderStatus`.
"""

from __future__ import annotations

from datetime import datetime

from orchestrator.domain import Payment
from orchestrator.domain.polling import note_query, unknown_attempt
from orchestrator.handlers.authorize import authorize
from orchestrator.handlers.publishing import publish_attempt_update, publish_for_payment
from orchestrator.recovery import RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.messages import QueryProviderStatus
from payroute_common.timers import Timer

STATUS_QUERY = "status_query"


def start_status_queries(
    uow: HandlerUnitOfWork, payment: Payment, attempt_id: str, now: datetime, policy: RecoveryPolicy
) -> str:
    """Start asking about `attempt_id`; what the timeline says about it."""
    delay = policy.query_delay(0)
    uow.timers.schedule(
        Timer(STATUS_QUERY, payment.payment_id, now + delay, {"attempt_id": attempt_id})
    )
    if policy.resends(payment.attempt(attempt_id).provider):
        return f"sending the same request again in {_seconds(delay.total_seconds())}"
    return f"asking for its status in {_seconds(delay.total_seconds())}"


def query_due(
    uow: HandlerUnitOfWork,
    payment: Payment,
    attempt_id: str,
    now: datetime,
    policy: RecoveryPolicy,
) -> None:
    attempt = unknown_attempt(payment, attempt_id)
    if attempt is None:
        return  # settled since
    # The first ask, and every other one after it, is the same request again.
    resend = policy.resends(attempt.provider) and attempt.queries % 2 == 0
    reason = note_query(payment, attempt, now, resent=resend)
    delay = policy.query_delay(attempt.queries + 1)
    uow.timers.schedule(
        Timer(STATUS_QUERY, payment.payment_id, now + delay, {"attempt_id": attempt_id})
    )
    publish_attempt_update(
        uow, payment, f"{reason}; asking again in {_seconds(delay.total_seconds())}", None
    )
    if resend:
        authorize(uow, payment, attempt, None)
        return
    query = QueryProviderStatus(
        payment_id=payment.payment_id,
        attempt_id=attempt.attempt_id,
        provider=attempt.provider,
        provider_reference=attempt.provider_reference,
    )
    publish_for_payment(uow, query, payment, None)


def _seconds(value: float) -> str:
    return f"{value:g} s"
