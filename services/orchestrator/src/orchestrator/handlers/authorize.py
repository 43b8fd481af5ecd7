"""Starting an attempt: which providers are left, and asking one to authorize."""

from __future__ import annotations

from datetime import datetime

from orchestrator.domain import Attempt, Payment
from orchestrator.handlers.emit import emit
from orchestrator.recovery import RecoveryPolicy
from orchestrator.routing import Conditions, Route, RouteRequest, route_payment
from orchestrator.store import HandlerUnitOfWork
from payroute_common.envelope import Envelope
from payroute_common.messages import AuthorizePayment
from payroute_common.timers import Timer

ANSWER_DEADLINE = "attempt_answer_deadline"


def route_of(payment: Payment, conditions: Conditions, *, exclude: frozenset[str]) -> Route:
    """The payment's candidates now, without the providers in `exclude`, as many as
    the merchant's `max_attempts` leaves (a provider cut off by that limit before may
    make it once others are excluded)."""
    request = RouteRequest(
        payment_id=payment.payment_id,
        method=payment.payment_method.type,
        currency=payment.currency,
        amount=payment.amount,
        capture_method=payment.capture_method,
        preference=payment.provider_preference,
        routing=payment.routing.model_copy(update={"max_attempts": 5}),
    )
    route = route_payment(request, conditions)
    for provider in exclude:
        if provider in route.providers:
            route = route.after(provider)
    left = max(payment.routing.max_attempts - len(payment.attempts), 0)
    return Route(route.candidates[:left], route.refusal) if route.candidates else route


def send_attempt(
    uow: HandlerUnitOfWork,
    payment: Payment,
    attempt: Attempt,
    cause: Envelope | None,
    now: datetime,
    policy: RecoveryPolicy,
) -> None:
    """Send a new attempt; without any answer by the deadline it counts as unknown."""
    authorize(uow, payment, attempt, cause)
    due = now + policy.answer_deadline
    payload = {"attempt_id": attempt.attempt_id}
    uow.timers.schedule(Timer(ANSWER_DEADLINE, payment.payment_id, due, payload))


def authorize(
    uow: HandlerUnitOfWork, payment: Payment, attempt: Attempt, cause: Envelope | None
) -> None:
    """Ask the attempt's provider to take (or hold) the payment's money. Sent again,
    it is the very same request: same attempt id (the provider's idempotency key),
    same parameters."""
    command = AuthorizePayment(
        payment_id=payment.payment_id,
        attempt_id=attempt.attempt_id,
        provider=attempt.provider,
        amount=payment.amount,
        currency=payment.currency,
        capture_method=payment.capture_method,
        payment_method=payment.payment_method,
        description=payment.description,
        metadata={**payment.metadata, "payment_id": payment.payment_id},
        return_url=payment.return_url,
    )
    emit(uow, command, payment, cause)
