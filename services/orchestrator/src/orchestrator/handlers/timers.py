"""Durable timers the orchestrator sets: what each does when it fires."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from orchestrator.domain.operations import expire_verification
from orchestrator.handlers.cascade import RETRY, retry_due
from orchestrator.handlers.creation import VERIFICATION_EXPIRY
from orchestrator.handlers.emit import announce
from orchestrator.handlers.watch import STATUS_QUERY, query_due
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.timers import Timer

log = structlog.get_logger(__name__)
KINDS = frozenset({VERIFICATION_EXPIRY, STATUS_QUERY, RETRY})


async def fire(
    timers: Sequence[Timer], *, uow: HandlerUnitOfWork, policy: RecoveryPolicy = DEFAULT_POLICY
) -> None:
    """Run due timers; their payments are loaded (locked) by the caller."""
    for timer in timers:
        if timer.kind not in KINDS:
            log.warning("timer_kind_unknown", kind=timer.kind, timer_id=timer.id)
            continue
        payment = uow.payments.get(timer.aggregate_id)
        if payment is None:
            log.warning("timer_for_unknown_payment", payment_id=timer.aggregate_id)
            continue
        now = utcnow()
        if timer.kind == STATUS_QUERY:
            query_due(uow, payment, str(timer.payload["attempt_id"]), now, policy)
        elif timer.kind == RETRY:
            await retry_due(uow, payment, str(timer.payload["after"]), now)
        else:
            announce(uow, payment, expire_verification(payment, now), None)
