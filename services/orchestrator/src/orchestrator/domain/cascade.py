"""When a failed attempt is followed by another provider, and when the payment gives up.

SPEC.md section 4: a retryable failure (the provider is down, refused our
credentials, timed out - once it has told that it took nothing - or declined
softly) moves
to the next candidate while the merchant's routing allows (fallback on, fewer
than `max_attempts` attempts); any other failure fails the payment. Pure.
"""

from __future__ import annotations

from datetime import datetime

from orchestrator.domain.payment import Payment
from payroute_common.messages import PaymentFailure, ProviderError
from payroute_common.messages.values import ErrorCategory

RETRYABLE: frozenset[ErrorCategory] = frozenset(
    {"provider_unavailable", "authentication", "timeout", "soft_decline"}
)


def may_retry(payment: Payment, error: ProviderError) -> bool:
    """The merchant's routing allows another attempt after `error`."""
    return (
        payment.status == "processing"
        and error.category in RETRYABLE
        and payment.routing.fallback
        and len(payment.attempts) < payment.routing.max_attempts
    )


def tried(payment: Payment) -> frozenset[str]:
    """Providers the payment has been sent to already."""
    return frozenset(a.provider for a in payment.attempts)


def awaiting_retry(payment: Payment, after_attempt_id: str) -> bool:
    """The payment waits for the attempt that follows the failed `after_attempt_id`."""
    if payment.status != "processing" or not payment.attempts:
        return False
    last = payment.attempts[-1]
    return last.attempt_id == after_attempt_id and last.status == "failed"


def give_up(payment: Payment, why: str, now: datetime) -> str:
    """Fail the payment with its last attempt's error: nothing is left to try."""
    last = payment.attempts[-1].error if payment.attempts else None
    failure = (
        PaymentFailure(code=last.code, message=last.message, decline_code=last.decline_code)
        if last is not None
        else PaymentFailure(code="no_provider_available", message=why)
    )
    payment.fail(failure, now)
    return f"{why}; failed with {failure.code}"
