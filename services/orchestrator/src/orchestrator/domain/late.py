"""Late successes: a provider took or held money for an attempt the payment no longer
needs. Pure.

The attempt was given up (no trace of it by the end of the grace period, the
customer never finished, a refusal the provider later reversed), another attempt
already took the money, or the payment failed. Such money is never kept silently:
a void (the provider holds an authorization) or a refund of what it captured is
sent to that provider under a new operation id, and sent again until the provider
answers definitely. One reversal per attempt, however often the success is told.
The payment's status and amounts do not change: the money was never Payroute's.

Every reason starts with `late_success_reversed:` (the timeline's heading for them).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from orchestrator.domain.attempts import Attempt, Reversal
from orchestrator.domain.payment import Payment
from orchestrator.domain.resend import NOT_DEFINITE
from payroute_common.messages import ProviderError

HEADING = "late_success_reversed:"
Taken = Literal["captured", "authorized"]


def reversal_of(payment: Payment, operation_id: str) -> Reversal | None:
    return next((r for r in payment.reversals if r.operation_id == operation_id), None)


def _why_unneeded(payment: Payment, attempt: Attempt) -> str:
    winner = next(
        (a for a in payment.attempts if a.status == "succeeded" and a is not attempt), None
    )
    if winner is not None:
        return f"the payment was already {payment.status} through {winner.provider}"
    if attempt.status == "failed":
        code = attempt.error.code if attempt.error else "failed"
        return f"attempt {attempt.attempt_id} had been given up ({code})"
    failure = f" ({payment.failure.code})" if payment.failure else ""
    return f"the payment was already {payment.status}{failure}"


def reverse(
    payment: Payment,
    attempt: Attempt,
    taken: Taken,
    provider_reference: str,
    amount: int | None,
    operation_id: str,
    now: datetime,
) -> tuple[Reversal, str] | None:
    """Start giving back what `attempt` took; None if that is under way already."""
    if any(r.attempt_id == attempt.attempt_id for r in payment.reversals):
        return None
    why = _why_unneeded(payment, attempt)
    held = payment.amount if amount is None else amount
    reversal = Reversal(
        attempt_id=attempt.attempt_id,
        provider=attempt.provider,
        provider_reference=provider_reference,
        amount=held,
        currency=payment.currency,
        kind="refund" if taken == "captured" else "void",
        operation_id=operation_id,
        sent_at=now,
    )
    payment.note_reference(attempt.attempt_id, provider_reference)
    payment.reversals = [*payment.reversals, reversal]
    payment.touch(now)
    undo = "refunding" if reversal.kind == "refund" else "voiding"
    return reversal, (
        f"{HEADING} {attempt.provider} {taken} {held} {payment.currency} for attempt "
        f"{attempt.attempt_id} after {why}; {undo} it at {attempt.provider} "
        f"({operation_id}); the payment stays {payment.status}"
    )


def _replace(payment: Payment, updated: Reversal) -> Reversal:
    payment.reversals = [
        updated if r.operation_id == updated.operation_id else r for r in payment.reversals
    ]
    return updated


def _open(payment: Payment, operation_id: str) -> Reversal | None:
    found = reversal_of(payment, operation_id)
    return found if found is not None and found.open else None


def reversal_confirmed(
    payment: Payment, operation_id: str, now: datetime
) -> tuple[Reversal, str] | None:
    """The provider voided or refunded the late money: the customer has it back."""
    found = _open(payment, operation_id)
    if found is None:
        return None
    done = _replace(payment, replace(found, status="reversed"))
    payment.touch(now)
    what = "void" if done.kind == "void" else "refund"
    return done, (
        f"{HEADING} {done.provider} confirmed the {what} of {done.amount} {done.currency} "
        f"for attempt {done.attempt_id} ({done.operation_id}); the customer has the money back"
    )


def reversal_accepted(payment: Payment, operation_id: str) -> Reversal | None:
    """The provider took the refund and settles it later (its webhook will tell)."""
    found = _open(payment, operation_id)
    if found is None or found.status == "accepted":
        return None
    return _replace(payment, replace(found, status="accepted"))


def reversal_refused(
    payment: Payment, operation_id: str, error: ProviderError, now: datetime
) -> tuple[Reversal, str | None] | None:
    """An answer that is no success. Not definite: sent again later (no reason). A
    refusal: the reversal failed, and people must give the money back."""
    found = _open(payment, operation_id)
    if found is None:
        return None
    if error.category in NOT_DEFINITE:
        return _replace(payment, replace(found, status="undetermined")), None
    failed = _replace(payment, replace(found, status="failed"))
    payment.touch(now)
    what = "void" if failed.kind == "void" else "refund"
    return failed, (
        f"{HEADING} {failed.provider} refused to {what} {failed.amount} {failed.currency} "
        f"for attempt {failed.attempt_id} ({failed.operation_id}): {error.code} "
        f"({error.category}); an operator must give the customer's money back"
    )


def reversal_resent(payment: Payment, reversal: Reversal) -> Reversal:
    """The same void or refund goes to the provider again (same operation id)."""
    return _replace(payment, replace(reversal, status="undetermined", resends=reversal.resends + 1))
