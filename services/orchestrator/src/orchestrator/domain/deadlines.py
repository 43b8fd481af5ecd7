"""What happens when time runs out: an attempt never answered, a customer who never
acted. Pure.

An attempt with no answer at all by the deadline (the command or its result was
lost) is treated like a timeout: `unknown`, and asked about until the provider
tells. A payment still waiting for its customer (`requires_action`) when its
time is up fails with `action_expired`; should the customer finish at the
provider after all, that success is late and is given back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from orchestrator.domain.payment import Payment
from orchestrator.domain.states import OPEN_ATTEMPTS
from payroute_common.messages import PaymentFailure, ProviderError


def answer_overdue(
    payment: Payment, attempt_id: str, deadline: timedelta, now: datetime
) -> str | None:
    """`attempt_id` got no answer within `deadline`; None if it has one by now."""
    attempt = payment.attempt(attempt_id)
    if attempt.status != "pending" or payment.status != "processing":
        return None
    seconds = int(deadline.total_seconds())
    error = ProviderError(
        category="timeout",
        code="no_answer",
        message=f"no answer from {attempt.provider} within {seconds} s",
    )
    if payment.record_attempt_failure(attempt_id, error, None, now) is None:
        return None
    return f"{attempt.provider} sent no answer within {seconds} s; its outcome is unknown"


def expire_action(payment: Payment, ttl: timedelta, now: datetime) -> str | None:
    """The customer did not finish in time: the payment fails; None if it moved on."""
    if payment.status != "requires_action":
        return None
    minutes = int(ttl.total_seconds() // 60)
    waited = f"{minutes} min" if minutes else f"{int(ttl.total_seconds())} s"
    message = f"the customer did not complete the payment within {waited}"
    error = ProviderError(category="hard_decline", code="action_expired", message=message)
    payment.attempts = [
        replace(a, status="failed", error=error) if a.status in OPEN_ATTEMPTS else a
        for a in payment.attempts
    ]
    payment.fail(PaymentFailure(code="action_expired", message=message), now)
    return (
        f"{message}; failed with action_expired (should {payment.provider} still take "
        "the money, it is given back)"
    )
