"""A failed attempt: the next provider after a backoff, or the payment fails.

On a retryable failure the payment stays `processing` and a durable RETRY
timer is set (exponential backoff, full jitter, cap: `RecoveryPolicy`); when it
fires, the payment is routed again with the conditions of that moment, minus
the providers already tried, and the next attempt starts. Every decision and
its reasons go to the payment's timeline.
"""

from __future__ import annotations

from datetime import datetime

from orchestrator.domain import Payment
from orchestrator.domain.cascade import RETRYABLE, awaiting_retry, give_up, may_retry, tried
from orchestrator.domain.resend import NOT_DEFINITE
from orchestrator.handlers.authorize import current_traceparent, route_of, send_attempt
from orchestrator.handlers.publishing import publish_attempt_update, publish_status_change
from orchestrator.handlers.unknown_attempts import start_status_queries
from orchestrator.recovery import RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.envelope import Envelope
from payroute_common.ids import new_id
from payroute_common.messages import ProviderError
from payroute_common.timers import Timer

RETRY = "attempt_retry"


async def attempt_refused(
    uow: HandlerUnitOfWork,
    payment: Payment,
    attempt_id: str,
    error: ProviderError,
    now: datetime,
    cause: Envelope | None,
    *,
    policy: RecoveryPolicy,
    latency_ms: int | None = None,
    resolved: bool = False,
) -> None:
    """`attempt_id` failed with `error` (`resolved`: a status query settled a timeout)."""
    attempt = payment.attempt(attempt_id)
    if attempt.status not in ("pending", "unknown"):
        return
    if attempt.status == "unknown" and error.category in NOT_DEFINITE and not resolved:
        return  # still unknown: the provider is asked again on schedule
    final = error.category == "timeout" and not resolved
    route = None
    if not final and may_retry(payment, error):
        conditions = await uow.providers.conditions(now)
        route = route_of(payment, conditions, exclude=tried(payment))
    retry = route is not None and route.first is not None
    reason = payment.record_attempt_failure(
        attempt_id, error, latency_ms, now, retry=retry, resolved=resolved
    )
    if reason is None:
        return
    if final:
        publish_attempt_update(
            uow,
            payment,
            f"{reason}; {start_status_queries(uow, payment, attempt_id, now, policy)}",
            cause,
        )
        return
    uow.providers.record_result(attempt.provider, False, now)
    if route is not None and route.first is not None:
        delay = policy.retry_delay(payment.payment_id, len(payment.attempts) - 1)
        uow.timers.schedule(Timer(RETRY, payment.payment_id, now + delay, {"after": attempt_id}))
        ms = int(delay.total_seconds() * 1000)
        publish_attempt_update(
            uow, payment, f"{reason}; trying the next provider in {ms} ms", cause
        )
        return
    publish_status_change(uow, payment, f"{reason}; {_why_not_retried(payment, error)}", cause)


def _why_not_retried(payment: Payment, error: ProviderError) -> str:
    if error.category not in RETRYABLE:
        return f"{error.category} is not retried elsewhere"
    if not payment.routing.fallback:
        return "the merchant's routing has fallback off"
    if len(payment.attempts) >= payment.routing.max_attempts:
        return f"{len(payment.attempts)} of {payment.routing.max_attempts} attempts used"
    return "no other provider can take it"


async def retry_due(
    uow: HandlerUnitOfWork, payment: Payment, after: str, now: datetime, policy: RecoveryPolicy
) -> None:
    """The backoff after attempt `after` is over: route again and start the next attempt."""
    if not awaiting_retry(payment, after):
        return  # settled meanwhile, or a timer fired twice
    previous = payment.attempt(after)
    why = previous.error.code if previous.error else "failed"
    category = previous.error.category if previous.error else "failed"
    route = route_of(payment, await uow.providers.conditions(now), exclude=tried(payment))
    if route.first is None:
        reason = give_up(payment, f"{previous.provider} {category} ({why}); {route.reason}", now)
        publish_status_change(uow, payment, reason, None)
        return
    attempt = payment.start_attempt(
        new_id("att"), route.first, now, traceparent=current_traceparent()
    )
    reason = f"{previous.provider} {_said(category)} ({category}: {why}); next: {route.describe()}"
    publish_attempt_update(uow, payment, reason, None)
    send_attempt(uow, payment, attempt, None, now, policy)


def _said(category: str) -> str:
    return {
        "provider_unavailable": "unavailable",
        "authentication": "refused our credentials",
        "timeout": "took nothing before timing out",
        "soft_decline": "declined softly",
    }.get(category, "failed")
