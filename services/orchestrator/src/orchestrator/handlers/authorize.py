"""Starting an attempt: which providers are left, and asking one to authorize."""

from __future__ import annotations

from orchestrator.domain import Attempt, Payment
from orchestrator.handlers.emit import emit
from orchestrator.routing import Conditions, Route, RouteRequest, route_payment
from orchestrator.store import HandlerUnitOfWork
from payroute_common.envelope import Envelope
from payroute_common.messages import AuthorizePayment


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


def authorize(
    uow: HandlerUnitOfWork, payment: Payment, attempt: Attempt, cause: Envelope | None
) -> None:
    """Ask the attempt's provider to take (or hold) the payment's money."""
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
