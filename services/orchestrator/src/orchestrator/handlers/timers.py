"""Durable timers the orchestrator sets: what each does when it fires."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from orchestrator.domain.operations import expire_verification
from orchestrator.handlers.creation import VERIFICATION_EXPIRY
from orchestrator.handlers.emit import announce
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.timers import Timer

log = structlog.get_logger(__name__)


async def fire(timers: Sequence[Timer], *, uow: HandlerUnitOfWork) -> None:
    """Run due timers; their payments are loaded (locked) by the caller."""
    for timer in timers:
        if timer.kind != VERIFICATION_EXPIRY:
            log.warning("timer_kind_unknown", kind=timer.kind, timer_id=timer.id)
            continue
        payment = uow.payments.get(timer.aggregate_id)
        if payment is None:
            log.warning("timer_for_unknown_payment", payment_id=timer.aggregate_id)
            continue
        announce(uow, payment, expire_verification(payment, utcnow()), None)
