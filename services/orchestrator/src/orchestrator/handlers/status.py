"""The provider's answer to a status query about an attempt whose outcome was unknown."""

from __future__ import annotations

import structlog

from orchestrator.domain.polling import answer
from orchestrator.handlers.cascade import attempt_refused
from orchestrator.handlers.emit import announce, payment_of, progress
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderStatusReported

log = structlog.get_logger(__name__)

TOOK_MONEY = frozenset({"captured", "authorized", "requires_action"})


async def status_reported(
    msg: ProviderStatusReported,
    cause: Envelope,
    *,
    uow: HandlerUnitOfWork,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    payment = payment_of(uow, msg.payment_id)
    now = utcnow()
    result = answer(payment, msg, now, policy.not_found_grace)
    if result is None:
        log.info("status_answer_ignored", payment_id=msg.payment_id, attempt_id=msg.attempt_id)
        return
    if result.failure is not None:
        await attempt_refused(
            uow, payment, msg.attempt_id, result.failure, now, cause, policy=policy, resolved=True
        )
        return
    if result.reason is None:
        return
    if msg.outcome in TOOK_MONEY:
        uow.providers.record_result(msg.provider, True, now)
    if payment.status == "processing":
        progress(uow, payment, result.reason, cause)
    else:
        announce(uow, payment, result.reason, cause)
