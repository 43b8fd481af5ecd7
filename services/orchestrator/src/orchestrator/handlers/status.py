"""The provider's answer to a status query about an attempt whose outcome was unknown
(or, once, about an attempt whose customer never finished)."""

from __future__ import annotations

from datetime import timedelta

import structlog

from orchestrator.domain.polling import answer
from orchestrator.domain.successes import SuccessNews
from orchestrator.handlers.cascade import attempt_refused
from orchestrator.handlers.publishing import (
    payment_of,
    publish_attempt_update,
    publish_status_change,
)
from orchestrator.handlers.successes import succeeded
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderStatusReported

log = structlog.get_logger(__name__)


async def status_reported(
    msg: ProviderStatusReported,
    *,
    uow: HandlerUnitOfWork,
    envelope: Envelope,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    payment = payment_of(uow, msg.payment_id)
    now = utcnow()
    if msg.outcome in ("captured", "authorized", "requires_action"):
        assert msg.provider_reference is not None
        was_open = payment.attempt(msg.attempt_id).status in ("pending", "unknown")
        news = SuccessNews(
            attempt_id=msg.attempt_id,
            outcome=msg.outcome,
            provider_reference=msg.provider_reference,
            amount=msg.amount,
        )
        said = f"{msg.provider} reports {msg.outcome}: "
        if succeeded(uow, payment, news, envelope, policy, prefix=said) and was_open:
            uow.providers.record_result(msg.provider, True, now)
        return
    # A provider that takes idempotency keys never gives up on `not_found`: the same
    # request is sent again, and that answer is definite.
    grace = timedelta.max if policy.resends(msg.provider) else policy.not_found_grace
    result = answer(payment, msg, now, grace)
    if result is None:
        log.info("status_answer_ignored", payment_id=msg.payment_id, attempt_id=msg.attempt_id)
        return
    if result.failure is not None:
        await attempt_refused(
            uow,
            payment,
            msg.attempt_id,
            result.failure,
            now,
            envelope,
            policy=policy,
            resolved=True,
        )
        return
    if result.reason is None:
        return
    if payment.status == "processing":
        publish_attempt_update(uow, payment, result.reason, envelope)
    else:
        publish_status_change(uow, payment, result.reason, envelope)
