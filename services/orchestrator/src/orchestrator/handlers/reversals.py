"""Late successes: the money given back at the provider, and the provider's answers.

`LateSuccessFound` announces the late money and the void or refund sent for it;
`LateSuccessReversed` the provider's confirmation; `LateSuccessReversalFailed`
its refusal (people must act). Undetermined answers change nothing visible: the
OPERATION_CHECK chain sends the same command again.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from orchestrator.domain import Payment
from orchestrator.domain.attempts import Reversal
from orchestrator.domain.late import (
    reversal_accepted,
    reversal_confirmed,
    reversal_of,
    reversal_refused,
)
from orchestrator.handlers.commands import reversal_command
from orchestrator.handlers.publishing import publish_for_payment
from orchestrator.handlers.resend import watch_operation
from orchestrator.recovery import RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.envelope import Envelope
from payroute_common.messages import (
    LateSuccessFound,
    LateSuccessReversalFailed,
    LateSuccessReversed,
    ProviderError,
)
from payroute_common.messages.payment_events import LateSuccessEvent

log = structlog.get_logger(__name__)


def _announce(
    uow: HandlerUnitOfWork,
    kind: type[LateSuccessEvent],
    payment: Payment,
    reversal: Reversal,
    reason: str,
    cause: Envelope | None,
) -> None:
    event = kind(payment=payment.snapshot(), reason=reason, late_success=reversal.late_success())
    publish_for_payment(uow, event, payment, cause)


def late_success_found(
    uow: HandlerUnitOfWork,
    payment: Payment,
    reversal: Reversal,
    reason: str,
    cause: Envelope | None,
    now: datetime,
    policy: RecoveryPolicy,
) -> None:
    """Announce the late money and send its void or refund (then watch for the answer)."""
    log.warning(
        "late_success_found",
        payment_id=payment.payment_id,
        attempt_id=reversal.attempt_id,
        provider=reversal.provider,
        kind=reversal.kind,
        amount=reversal.amount,
    )
    _announce(uow, LateSuccessFound, payment, reversal, reason, cause)
    publish_for_payment(uow, reversal_command(payment, reversal), payment, cause)
    watch_operation(uow, payment, reversal.operation_id, now, policy)


def is_reversal(payment: Payment, operation_id: str) -> bool:
    return reversal_of(payment, operation_id) is not None


def reversal_succeeded(
    uow: HandlerUnitOfWork,
    payment: Payment,
    operation_id: str,
    pending: bool,
    cause: Envelope | None,
    now: datetime,
) -> None:
    """The provider did it (or, `pending`, took the refund to settle it later)."""
    if pending:
        if reversal_accepted(payment, operation_id) is not None:
            log.info("late_success_refund_pending", payment_id=payment.payment_id)
        return
    done = reversal_confirmed(payment, operation_id, now)
    if done is not None:
        _announce(uow, LateSuccessReversed, payment, done[0], done[1], cause)


def reversal_failed(
    uow: HandlerUnitOfWork,
    payment: Payment,
    operation_id: str,
    error: ProviderError,
    cause: Envelope | None,
    now: datetime,
) -> None:
    """A refusal fails the reversal; an answer that is not definite waits for the next try."""
    result = reversal_refused(payment, operation_id, error, now)
    if result is None:
        return
    reversal, reason = result
    if reason is None:
        log.info("late_success_reversal_undetermined", operation_id=operation_id)
        return
    log.error("late_success_reversal_failed", payment_id=payment.payment_id, code=error.code)
    _announce(uow, LateSuccessReversalFailed, payment, reversal, reason, cause)


def reversal_news(
    uow: HandlerUnitOfWork,
    payment: Payment,
    operation_id: str,
    refunded: bool,
    why: str | None,
    cause: Envelope,
    now: datetime,
) -> None:
    """The provider's refund webhook about a reversal's refund."""
    if refunded:
        reversal_succeeded(uow, payment, operation_id, False, cause, now)
        return
    error = ProviderError(
        category="hard_decline",
        code="refund_failed",
        message=f"the provider reports the refund failed{f': {why}' if why else ''}",
    )
    reversal_failed(uow, payment, operation_id, error, cause, now)
