"""Durable timers the orchestrator sets: what each does when it fires."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog

from orchestrator.domain import Payment
from orchestrator.domain.deadlines import answer_overdue, expire_action
from orchestrator.domain.operations import expire_verification
from orchestrator.handlers.authorize import ANSWER_DEADLINE
from orchestrator.handlers.cascade import RETRY, retry_due
from orchestrator.handlers.creation import VERIFICATION_EXPIRY
from orchestrator.handlers.publishing import (
    publish_attempt_update,
    publish_for_payment,
    publish_status_change,
)
from orchestrator.handlers.resend import OPERATION_CHECK, check_due
from orchestrator.handlers.successes import ACTION_EXPIRY
from orchestrator.handlers.unknown_attempts import STATUS_QUERY, query_due, start_status_queries
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.messages import QueryProviderStatus
from payroute_common.timers import Timer

log = structlog.get_logger(__name__)
KINDS = frozenset(
    {VERIFICATION_EXPIRY, STATUS_QUERY, RETRY, ANSWER_DEADLINE, ACTION_EXPIRY, OPERATION_CHECK}
)


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
            await retry_due(uow, payment, str(timer.payload["after"]), now, policy)
        elif timer.kind == OPERATION_CHECK:
            checks = int(timer.payload.get("checks", 0))
            check_due(uow, payment, str(timer.payload["operation_id"]), checks, now, policy)
        elif timer.kind == ANSWER_DEADLINE:
            _answer_overdue(uow, payment, str(timer.payload["attempt_id"]), now, policy)
        elif timer.kind == ACTION_EXPIRY:
            _action_expired(uow, payment, str(timer.payload["attempt_id"]), now, policy)
        else:
            publish_status_change(uow, payment, expire_verification(payment, now), None)


def _answer_overdue(
    uow: HandlerUnitOfWork, payment: Payment, attempt_id: str, now: datetime, policy: RecoveryPolicy
) -> None:
    """No answer ever came for the attempt: it is unknown, and asked about like a timeout."""
    reason = answer_overdue(payment, attempt_id, policy.answer_deadline, now)
    if reason is not None:
        publish_attempt_update(
            uow,
            payment,
            f"{reason}; {start_status_queries(uow, payment, attempt_id, now, policy)}",
            None,
        )


def _action_expired(
    uow: HandlerUnitOfWork, payment: Payment, attempt_id: str, now: datetime, policy: RecoveryPolicy
) -> None:
    """The customer never finished: the payment fails, and the provider is asked once
    more, so that money taken at the last moment (its webhook lost) is found and given
    back."""
    reason = expire_action(payment, policy.action_ttl, now)
    if reason is None:
        return
    publish_status_change(uow, payment, reason, None)
    attempt = payment.attempt(attempt_id)
    query = QueryProviderStatus(
        payment_id=payment.payment_id,
        attempt_id=attempt.attempt_id,
        provider=attempt.provider,
        provider_reference=attempt.provider_reference,
    )
    publish_for_payment(uow, query, payment, None)
