"""Refunds: requested by the merchant, done by the provider (or at once for manual methods).

A refund sent to the provider is sent again (same refund id, the provider's
idempotency key) until a definite answer: succeeded, refused, or accepted to be
settled later by the provider's webhook (`pending`, its amount still held).
"""

from __future__ import annotations

import structlog

from orchestrator.domain import Payment, Refund
from orchestrator.domain import refunds as rules
from orchestrator.domain.resend import NOT_DEFINITE
from orchestrator.handlers.commands import refund_command
from orchestrator.handlers.publishing import payment_of, publish_attempt_update, publish_for_payment
from orchestrator.handlers.resend import watch_operation
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.catalog import MANUAL_PROVIDER
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import (
    PaymentFailure,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    RefundCreated,
    RefundFailed,
    RefundPayment,
    RefundSucceeded,
)
from payroute_common.messages.payment_events import RefundEvent

log = structlog.get_logger(__name__)


def emit_refund(
    uow: HandlerUnitOfWork,
    kind: type[RefundEvent],
    payment: Payment,
    refund: Refund,
    reason: str,
    cause: Envelope,
) -> None:
    event = kind(payment=payment.snapshot(), refund=refund.snapshot(), reason=reason)
    publish_for_payment(uow, event, payment, cause)


async def refund_payment(
    cmd: RefundPayment,
    *,
    uow: HandlerUnitOfWork,
    envelope: Envelope,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    if uow.refunds.get(cmd.refund_id) is not None:
        return  # the same command sent twice under two event ids
    payment = payment_of(uow, cmd.payment_id)
    now = utcnow()
    refund, reason = rules.open_refund(
        payment, cmd.refund_id, cmd.amount, cmd.currency, cmd.reason, now
    )
    uow.refunds.add(refund)
    if refund.status == "failed":
        emit_refund(uow, RefundFailed, payment, refund, reason, envelope)
        return
    emit_refund(uow, RefundCreated, payment, refund, reason, envelope)
    if payment.provider == MANUAL_PROVIDER:
        done = rules.refund_succeeded(payment, refund, None, now)
        assert done is not None
        emit_refund(
            uow, RefundSucceeded, payment, refund, f"{done}: paid back by the merchant", envelope
        )
        return
    publish_for_payment(uow, refund_command(payment, refund), payment, envelope)
    watch_operation(uow, payment, refund.refund_id, now, policy)


def _refund_of(uow: HandlerUnitOfWork, payment_id: str, refund_id: str) -> Refund | None:
    refund = uow.refunds.get(refund_id)
    if refund is None or refund.payment_id != payment_id:
        log.warning("refund_result_for_unknown_refund", refund_id=refund_id)
        return None
    return refund


async def refund_succeeded(
    msg: ProviderOperationSucceeded, *, uow: HandlerUnitOfWork, envelope: Envelope
) -> None:
    payment = payment_of(uow, msg.payment_id)
    refund = _refund_of(uow, msg.payment_id, msg.operation_id)
    if refund is None:
        return
    now = utcnow()
    if msg.outcome == "pending":
        note = rules.refund_accepted(payment, refund, msg.provider_reference, now)
        if note is not None:
            publish_attempt_update(uow, payment, note, envelope)
        return
    reason = rules.refund_succeeded(payment, refund, msg.provider_reference, now)
    if reason is None:
        reason = rules.refund_reference_learnt(payment, refund, msg.provider_reference, now)
    if reason is not None:
        emit_refund(uow, RefundSucceeded, payment, refund, reason, envelope)


async def refund_failed(
    msg: ProviderOperationFailed, *, uow: HandlerUnitOfWork, envelope: Envelope
) -> None:
    payment = payment_of(uow, msg.payment_id)
    refund = _refund_of(uow, msg.payment_id, msg.operation_id)
    if refund is None:
        return
    undetermined = refund.answer != "none" and msg.error.category in NOT_DEFINITE
    if msg.error.category == "timeout" or undetermined:
        # The provider may have refunded: the refund stays pending and is sent again.
        rules.refund_undetermined(refund)
        return
    error = msg.error
    failure = PaymentFailure(
        code=error.code, message=error.message, decline_code=error.decline_code
    )
    reason = rules.refund_failed(payment, refund, failure, utcnow())
    if reason is not None:
        emit_refund(uow, RefundFailed, payment, refund, reason, envelope)
