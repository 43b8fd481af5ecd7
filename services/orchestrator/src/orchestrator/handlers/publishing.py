"""What every handler does: find the payment, and publish what happened to it."""

from __future__ import annotations

from orchestrator.domain import Payment
from orchestrator.store import HandlerUnitOfWork
from payroute_common.envelope import Envelope, Message
from payroute_common.messages import (
    PaymentActionRequired,
    PaymentAttemptUpdated,
    PaymentAuthorized,
    PaymentAwaitingVerification,
    PaymentCanceled,
    PaymentCaptured,
    PaymentFailed,
)
from payroute_common.messages.payment_events import PaymentEvent
from payroute_common.messages.values import PaymentStatus
from payroute_common.topics import PAYMENT_EVENTS, PROVIDER_COMMANDS

PRODUCER = "orchestrator"

# The event announcing that a payment reached a status.
STATUS_EVENTS: dict[PaymentStatus, type[PaymentEvent]] = {
    "requires_action": PaymentActionRequired,
    "pending_verification": PaymentAwaitingVerification,
    "authorized": PaymentAuthorized,
    "captured": PaymentCaptured,
    "canceled": PaymentCanceled,
    "failed": PaymentFailed,
}


class UnknownPaymentError(LookupError):
    pass


def payment_of(uow: HandlerUnitOfWork, payment_id: str) -> Payment:
    payment = uow.payments.get(payment_id)
    if payment is None:
        raise UnknownPaymentError(f"no payment {payment_id}")
    return payment


def publish_for_payment(
    uow: HandlerUnitOfWork, message: Message, payment: Payment, cause: Envelope | None
) -> None:
    topic = PAYMENT_EVENTS if isinstance(message, PaymentEvent) else PROVIDER_COMMANDS
    envelope = Envelope.wrap(
        message,
        producer=PRODUCER,
        tenant_id=payment.merchant_id,
        aggregate_id=payment.payment_id,
        causation=cause,
    )
    uow.publish(topic, payment.payment_id, envelope)


def publish_status_change(
    uow: HandlerUnitOfWork, payment: Payment, reason: str | None, cause: Envelope | None
) -> None:
    """Tell everyone the payment's new status, if it changed (`reason` not None)."""
    event = STATUS_EVENTS.get(payment.status)
    if reason is not None and event is not None:
        publish_for_payment(uow, event(payment=payment.snapshot(), reason=reason), payment, cause)


def publish_attempt_update(
    uow: HandlerUnitOfWork, payment: Payment, reason: str, cause: Envelope | None
) -> None:
    """Timeline news of a payment still processing: an attempt's fate, the next provider."""
    publish_for_payment(
        uow, PaymentAttemptUpdated(payment=payment.snapshot(), reason=reason), payment, cause
    )
