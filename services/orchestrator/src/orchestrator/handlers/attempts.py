"""The provider's answers to AuthorizePayment."""

from __future__ import annotations

from orchestrator.domain import OPEN_ATTEMPTS
from orchestrator.handlers.cascade import attempt_refused
from orchestrator.handlers.emit import announce, payment_of
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
)


async def attempt_succeeded(
    msg: ProviderAttemptSucceeded, cause: Envelope, *, uow: HandlerUnitOfWork
) -> None:
    payment = payment_of(uow, msg.payment_id)
    now = utcnow()
    if payment.attempt(msg.attempt_id).status in OPEN_ATTEMPTS:
        uow.providers.record_result(msg.provider, True, now)
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
    msg: ProviderAttemptFailed,
    cause: Envelope,
    *,
    uow: HandlerUnitOfWork,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    """A refusal may move the payment to the next provider; a timeout starts status queries."""
    payment = payment_of(uow, msg.payment_id)
    await attempt_refused(
        uow,
        payment,
        msg.attempt_id,
        msg.error,
        utcnow(),
        cause,
        policy=policy,
        latency_ms=msg.latency_ms,
    )
