"""The provider's answers to AuthorizePayment, and its later news by webhook."""

from __future__ import annotations

import structlog

from orchestrator.domain.news import apply_webhook
from orchestrator.handlers.emit import announce, payment_of
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderWebhookReceived,
)

log = structlog.get_logger(__name__)


async def attempt_succeeded(
    msg: ProviderAttemptSucceeded, cause: Envelope, *, uow: HandlerUnitOfWork
) -> None:
    payment = payment_of(uow, msg.payment_id)
    now = utcnow()
    if msg.outcome == "captured":
        reason = payment.record_capture(msg.attempt_id, msg.provider_reference, msg.latency_ms, now)
    elif msg.outcome == "authorized":
        reason = payment.record_authorization(
            msg.attempt_id, msg.provider_reference, msg.latency_ms, now
        )
    else:
        reason = payment.record_action_required(
            msg.attempt_id, msg.provider_reference, msg.redirect_url, msg.latency_ms, now
        )
    announce(uow, payment, reason, cause)


async def attempt_failed(
    msg: ProviderAttemptFailed, cause: Envelope, *, uow: HandlerUnitOfWork
) -> None:
    payment = payment_of(uow, msg.payment_id)
    reason = payment.record_attempt_failure(msg.attempt_id, msg.error, msg.latency_ms, utcnow())
    announce(uow, payment, reason, cause)


async def webhook_received(
    msg: ProviderWebhookReceived, cause: Envelope, *, uow: HandlerUnitOfWork
) -> None:
    """Provider news by webhook: applied when it moves the payment forward, else ignored."""
    if msg.subject != "payment" or msg.payment_id is None:
        log.info("webhook_ignored", provider_event_type=msg.provider_event_type)
        return
    payment = payment_of(uow, msg.payment_id)
    reason = apply_webhook(
        payment, msg.provider, msg.provider_reference, msg.outcome, msg.amount, utcnow()
    )
    if reason is None:
        log.info("webhook_without_effect", payment_id=payment.payment_id, outcome=msg.outcome)
    announce(uow, payment, reason, cause)
