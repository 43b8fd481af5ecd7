"""Captures, voids, refunds and reversals until the provider answers definitely.

Each one sent gets a durable OPERATION_CHECK timer chain on the status-query
schedule (`RecoveryPolicy.query_delay`). At each firing, an operation still
open whose answer was undetermined, or that got no answer by the deadline, is
sent again: the very same command under the same operation id, which the
provider treats as the same request. The chain ends when the operation is
settled (its answer closed it) or accepted for later (a pending refund, settled
by webhook); a firing that finds it so does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orchestrator.domain import Payment
from orchestrator.domain.late import reversal_of, reversal_resent
from orchestrator.domain.operations import operation_resent
from orchestrator.domain.refunds import refund_undetermined
from orchestrator.domain.resend import ProviderAnswer, next_check, resend_due
from orchestrator.handlers.commands import operation_command, refund_command, reversal_command
from orchestrator.handlers.publishing import publish_attempt_update, publish_for_payment
from orchestrator.recovery import RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.messages import CaptureAuthorization, RefundCharge, VoidAuthorization
from payroute_common.timers import Timer

OPERATION_CHECK = "operation_check"


@dataclass(frozen=True)
class Open:
    """An operation still waiting for the provider's definite answer."""

    what: str
    answer: ProviderAnswer
    sent_at: datetime | None


def watch_operation(
    uow: HandlerUnitOfWork,
    payment: Payment,
    operation_id: str,
    now: datetime,
    policy: RecoveryPolicy,
    *,
    checks: int = 0,
    answer: ProviderAnswer = "none",
    sent_at: datetime | None = None,
) -> datetime:
    """Look at `operation_id` again later (the `checks`-th time); when."""
    due = next_check(
        answer, sent_at or now, now, policy.query_delay(checks), policy.answer_deadline
    )
    payload = {"operation_id": operation_id, "checks": checks}
    uow.timers.schedule(Timer(OPERATION_CHECK, payment.payment_id, due, payload))
    return due


def _open(uow: HandlerUnitOfWork, payment: Payment, operation_id: str) -> Open | None:
    op = payment.operation
    if op is not None and op.operation_id == operation_id:
        answer: ProviderAnswer = "undetermined" if op.status == "unknown" else "none"
        return Open(f"the {op.kind} {operation_id}", answer, op.sent_at)
    reversal = reversal_of(payment, operation_id)
    if reversal is not None:
        if not reversal.open:
            return None
        return Open(f"the {reversal.kind} {operation_id}", reversal.answer, reversal.sent_at)
    refund = uow.refunds.get(operation_id)
    if refund is None or refund.payment_id != payment.payment_id or refund.status != "pending":
        return None
    return Open(f"refund {operation_id}", refund.answer, refund.created_at)


def _send_again(
    uow: HandlerUnitOfWork, payment: Payment, operation_id: str
) -> CaptureAuthorization | VoidAuthorization | RefundCharge:
    """Mark `operation_id` sent again; the command to send."""
    op = payment.operation
    if op is not None and op.operation_id == operation_id:
        again = operation_resent(payment)
        assert again is not None
        return operation_command(payment, again)
    reversal = reversal_of(payment, operation_id)
    if reversal is not None:
        return reversal_command(payment, reversal_resent(payment, reversal))
    refund = uow.refunds.get(operation_id)
    assert refund is not None
    refund_undetermined(refund)
    return refund_command(payment, refund)


def check_due(
    uow: HandlerUnitOfWork,
    payment: Payment,
    operation_id: str,
    checks: int,
    now: datetime,
    policy: RecoveryPolicy,
) -> None:
    found = _open(uow, payment, operation_id)
    if found is None or found.answer == "accepted":
        return  # answered since, or the provider settles it later by webhook
    if not resend_due(found.answer, found.sent_at, now, policy.answer_deadline):
        watch_operation(
            uow,
            payment,
            operation_id,
            now,
            policy,
            checks=checks + 1,
            answer=found.answer,
            sent_at=found.sent_at,
        )
        return
    command = _send_again(uow, payment, operation_id)
    due = watch_operation(
        uow, payment, operation_id, now, policy, checks=checks + 1, answer="undetermined"
    )
    provider = command.provider
    why = "its answer told nothing" if found.answer == "undetermined" else "no answer came"
    wait = int((due - now).total_seconds())
    payment.touch(now)
    publish_attempt_update(
        uow,
        payment,
        f"{found.what}: {why}; sent it to {provider} again under the same idempotency key, "
        f"so that it tells what it did; looking again in {wait} s",
        None,
    )
    publish_for_payment(uow, command, payment, None)
