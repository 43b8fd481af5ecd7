"""Provider news by webhook: payment, refund and dispute news, routed to its payment.

News names its payment by id (provider metadata) or by a provider reference
(the payment's, an attempt's or a refund's; the consumer resolves those before
it locks the batch's payments). News about nothing Payroute knows is logged and
dropped: providers send news about objects made outside Payroute too. A success
the payment no longer needs is given back (`reversals`); refund news naming the
refund of such a reversal settles the reversal.
"""

from __future__ import annotations

import structlog

from orchestrator.domain import Payment
from orchestrator.domain.disputes import DisputeNews, close_dispute, open_dispute
from orchestrator.domain.news import apply_webhook
from orchestrator.domain.refund_news import RefundNews, refunds_news
from orchestrator.handlers.publishing import publish_for_payment, publish_status_change
from orchestrator.handlers.refunds import emit_refund
from orchestrator.handlers.reversals import is_reversal, late_success_found, reversal_news
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope, Message
from payroute_common.ids import new_id
from payroute_common.messages import (
    PaymentDisputeClosed,
    PaymentDisputed,
    ProviderWebhookReceived,
    RefundFailed,
    RefundSucceeded,
)
from payroute_common.messages.payment_events import PaymentEvent

log = structlog.get_logger(__name__)


def reference_of(message: Message) -> tuple[str, str] | None:
    """The provider reference to route `message` by, when it names no payment."""
    if isinstance(message, ProviderWebhookReceived) and message.payment_id is None:
        return (message.provider, message.provider_reference)
    return None


def _payment_for(uow: HandlerUnitOfWork, msg: ProviderWebhookReceived) -> Payment | None:
    if msg.payment_id is not None:
        return uow.payments.get(msg.payment_id)
    return uow.payments.by_reference(msg.provider, msg.provider_reference)


async def webhook_received(
    msg: ProviderWebhookReceived,
    *,
    uow: HandlerUnitOfWork,
    envelope: Envelope,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    """Applied when it moves the payment (or a refund) forward, else ignored."""
    payment = _payment_for(uow, msg)
    if payment is None:
        log.info(
            "webhook_for_unknown_payment",
            provider=msg.provider,
            provider_event_type=msg.provider_event_type,
            provider_reference=msg.provider_reference,
            payment_id=msg.payment_id,
        )
        return
    if msg.subject == "payment":
        _payment_news(uow, payment, msg, envelope, policy)
    elif msg.subject == "refund" and msg.outcome in {"refunded", "failed"}:
        _refund_news(uow, payment, msg, envelope)
    elif msg.subject == "dispute" and msg.outcome in {"opened", "closed"}:
        _dispute_news(uow, payment, msg, envelope)
    else:
        log.info(
            "webhook_ignored",
            payment_id=payment.payment_id,
            provider_event_type=msg.provider_event_type,
        )


def _payment_news(
    uow: HandlerUnitOfWork,
    payment: Payment,
    msg: ProviderWebhookReceived,
    cause: Envelope,
    policy: RecoveryPolicy,
) -> None:
    now = utcnow()
    applied = apply_webhook(
        payment, msg.provider, msg.provider_reference, msg.outcome, msg.amount, new_id("op"), now
    )
    if applied.reason is None:
        log.info("webhook_without_effect", payment_id=payment.payment_id, outcome=msg.outcome)
    elif applied.reversal is not None:
        late_success_found(uow, payment, applied.reversal, applied.reason, cause, now, policy)
    else:
        publish_status_change(uow, payment, applied.reason, cause)


def _refund_news(
    uow: HandlerUnitOfWork, payment: Payment, msg: ProviderWebhookReceived, cause: Envelope
) -> None:
    if msg.refund_id is not None and is_reversal(payment, msg.refund_id):
        refunded = msg.outcome == "refunded"
        reversal_news(uow, payment, msg.refund_id, refunded, msg.reason, cause, utcnow())
        return
    news = RefundNews(
        provider=msg.provider,
        provider_reference=msg.provider_reference,
        outcome="refunded" if msg.outcome == "refunded" else "failed",
        refund_id=msg.refund_id,
        amount_refunded=msg.amount_refunded,
        reason=msg.reason,
    )
    settled = refunds_news(payment, uow.refunds.of_payment(payment.payment_id), news, utcnow())
    if not settled:
        log.info("webhook_without_effect", payment_id=payment.payment_id, outcome=msg.outcome)
    for refund, reason in settled:
        kind = RefundSucceeded if refund.status == "succeeded" else RefundFailed
        emit_refund(uow, kind, payment, refund, reason, cause)


def _dispute_news(
    uow: HandlerUnitOfWork, payment: Payment, msg: ProviderWebhookReceived, cause: Envelope
) -> None:
    if msg.dispute_id is None or msg.dispute_status is None:
        log.warning("dispute_news_incomplete", payment_id=payment.payment_id)
        return
    news = DisputeNews(
        dispute_id=msg.dispute_id,
        amount=msg.amount,
        currency=msg.currency,
        reason=msg.reason,
        status=msg.dispute_status,
    )
    now = utcnow()
    event: type[PaymentEvent] = PaymentDisputed
    if msg.outcome == "opened":
        reason = open_dispute(payment, news, now)
    else:
        reason, event = close_dispute(payment, news, now), PaymentDisputeClosed
    if reason is None:
        log.info("webhook_without_effect", payment_id=payment.payment_id, outcome=msg.outcome)
        return
    publish_for_payment(uow, event(payment=payment.snapshot(), reason=reason), payment, cause)
