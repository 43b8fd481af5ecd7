"""One function per command or event the orchestrator takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog

from orchestrator.domain import Payment
from orchestrator.routing import candidates
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope, Message
from payroute_common.ids import new_id
from payroute_common.messages import (
    AuthorizePayment,
    CreatePayment,
    PaymentCaptured,
    PaymentCreated,
    PaymentFailed,
    PaymentFailure,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderWebhookReceived,
)
from payroute_common.messages.payment_events import PaymentEvent
from payroute_common.topics import PAYMENT_EVENTS, PROVIDER_COMMANDS

log = structlog.get_logger(__name__)

PRODUCER = "orchestrator"


class UnknownPaymentError(LookupError):
    pass


def _emit(uow: HandlerUnitOfWork, message: Message, payment: Payment, cause: Envelope) -> None:
    topic = PAYMENT_EVENTS if isinstance(message, PaymentEvent) else PROVIDER_COMMANDS
    envelope = Envelope.wrap(
        message,
        producer=PRODUCER,
        tenant_id=payment.merchant_id,
        aggregate_id=payment.payment_id,
        causation=cause,
    )
    uow.publish(topic, payment.payment_id, envelope)


def _emit_outcome(uow: HandlerUnitOfWork, payment: Payment, cause: Envelope) -> None:
    if payment.status == "captured":
        _emit(uow, PaymentCaptured(payment=payment.snapshot()), payment, cause)
    elif payment.status == "failed":
        _emit(uow, PaymentFailed(payment=payment.snapshot()), payment, cause)


def _payment(uow: HandlerUnitOfWork, payment_id: str) -> Payment:
    payment = uow.payments.get(payment_id)
    if payment is None:
        raise UnknownPaymentError(f"no payment {payment_id}")
    return payment


async def create_payment(cmd: CreatePayment, cause: Envelope, *, uow: HandlerUnitOfWork) -> None:
    if uow.payments.get(cmd.payment_id) is not None:
        return  # the same command sent twice under two event ids
    now = utcnow()
    payment = Payment(
        payment_id=cmd.payment_id,
        merchant_id=cmd.merchant_id,
        amount=cmd.amount,
        currency=cmd.currency,
        capture_method=cmd.capture_method,
        payment_method=cmd.payment_method,
        description=cmd.description,
        metadata=cmd.metadata,
        provider_preference=cmd.provider,
        created_at=cmd.created_at,
        updated_at=now,
    )
    uow.payments.add(payment)
    providers = candidates(cmd.payment_method.type, cmd.provider)
    if not providers:
        failure = PaymentFailure(
            code="no_provider_available",
            message=f"no provider supports {cmd.payment_method.type} in {cmd.currency}",
        )
        payment.fail(failure, now)
        _emit_outcome(uow, payment, cause)
        return
    attempt = payment.start_attempt(new_id("att"), providers[0], now)
    reason = f"routed to {attempt.provider}: " + (
        "merchant preference"
        if cmd.provider == attempt.provider
        else "first provider supporting the method"
    )
    _emit(uow, PaymentCreated(payment=payment.snapshot(), reason=reason), payment, cause)
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
    )
    _emit(uow, command, payment, cause)


async def attempt_succeeded(
    msg: ProviderAttemptSucceeded, cause: Envelope, *, uow: HandlerUnitOfWork
) -> None:
    payment = _payment(uow, msg.payment_id)
    if msg.outcome != "captured":
        log.warning("attempt_outcome_not_handled_yet", outcome=msg.outcome)
        return
    if payment.record_capture(msg.attempt_id, msg.provider_reference, msg.latency_ms, utcnow()):
        _emit_outcome(uow, payment, cause)


async def attempt_failed(
    msg: ProviderAttemptFailed, cause: Envelope, *, uow: HandlerUnitOfWork
) -> None:
    payment = _payment(uow, msg.payment_id)
    if payment.record_attempt_failure(msg.attempt_id, msg.error, msg.latency_ms, utcnow()):
        _emit_outcome(uow, payment, cause)


async def webhook_received(
    msg: ProviderWebhookReceived, cause: Envelope, *, uow: HandlerUnitOfWork
) -> None:
    """Provider news by webhook: applied when it moves the payment forward, else ignored."""
    if msg.subject != "payment" or msg.payment_id is None:
        log.info("webhook_ignored", provider_event_type=msg.provider_event_type)
        return
    payment = _payment(uow, msg.payment_id)
    attempt = payment.attempt_for_reference(msg.provider, msg.provider_reference)
    if attempt is None or msg.outcome != "succeeded":
        log.info("webhook_without_effect", payment_id=payment.payment_id, outcome=msg.outcome)
        return
    if payment.record_capture(attempt.attempt_id, msg.provider_reference, None, utcnow()):
        _emit_outcome(uow, payment, cause)


HANDLERS: dict[type[Message], Callable[..., Awaitable[None]]] = {
    CreatePayment: create_payment,
    ProviderAttemptSucceeded: attempt_succeeded,
    ProviderAttemptFailed: attempt_failed,
    ProviderWebhookReceived: webhook_received,
}


def payment_id_of(message: Message) -> str | None:
    return getattr(message, "payment_id", None)
