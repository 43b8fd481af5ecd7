"""Starting an attempt: which providers are left, and asking one to authorize."""

from __future__ import annotations

from datetime import datetime

from orchestrator.domain import Attempt, Payment
from orchestrator.handlers.publishing import publish_for_payment
from orchestrator.recovery import RecoveryPolicy
from orchestrator.routing import Conditions, Route, RouteRequest, route_payment
from orchestrator.store import HandlerUnitOfWork
from payroute_common.envelope import Envelope
from payroute_common.messages import AuthorizePayment
from payroute_common.timers import Timer
from payroute_common.tracing import trace_metadata

ANSWER_DEADLINE = "attempt_answer_deadline"
# Stripe's (and Xendit's) limit on metadata keys, which carry the merchant's keys
# and Payroute's payment_id, attempt_id and traceparent (docs/decisions/0004).
PROVIDER_METADATA_KEYS = 50


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


def current_traceparent() -> str | None:
    """The trace being handled now (a new attempt's, kept on it); None outside one."""
    return trace_metadata().get("traceparent")


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
    same parameters, and the trace it started in (the provider echoes it in its
    webhooks, which so rejoin the payment's trace)."""
    command = AuthorizePayment(
        payment_id=payment.payment_id,
        attempt_id=attempt.attempt_id,
        provider=attempt.provider,
        amount=payment.amount,
        currency=payment.currency,
        capture_method=payment.capture_method,
        payment_method=payment.payment_method,
        description=payment.description,
        metadata={**payment.metadata, **_trace(payment, attempt), "payment_id": payment.payment_id},
        return_url=payment.return_url,
    )
    publish_for_payment(uow, command, payment, cause)


def _trace(payment: Payment, attempt: Attempt) -> dict[str, str]:
    """The attempt's trace as provider metadata, where the provider's key limit leaves
    room for it (not for a payment accepted when merchants had 48 keys)."""
    if attempt.traceparent is None or len(payment.metadata) + 3 > PROVIDER_METADATA_KEYS:
        return {}
    return {"traceparent": attempt.traceparent}
