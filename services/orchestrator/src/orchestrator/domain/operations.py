"""What a merchant or operator does to a payment after it was created: capture,
cancel (void), verify a manual payment; and the provider's answers. Pure.

Commands the payment cannot take raise a `PaymentError`; answers that arrive
late (for an operation no longer open) change nothing and return None.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from orchestrator.domain.attempts import Operation, OperationKind
from orchestrator.domain.errors import (
    AmountExceedsCapturable,
    NotAwaitingVerification,
    NotCancelable,
    NotCapturable,
    OperationInProgress,
)
from orchestrator.domain.payment import Payment
from orchestrator.domain.resend import NOT_DEFINITE
from payroute_common.catalog import MANUAL_PROVIDER
from payroute_common.messages import PaymentFailure, ProviderError
from payroute_common.messages.values import PaymentStatus


def _no_operation_open(payment: Payment) -> None:
    if payment.operation is not None:
        op = payment.operation
        raise OperationInProgress(
            f"payment {payment.payment_id} has a {op.kind} in flight ({op.operation_id})"
        )


def request_capture(
    payment: Payment, operation_id: str, amount: int | None, now: datetime | None = None
) -> Operation:
    """Start capturing `amount` (None: all capturable); the rest will be released."""
    if payment.status != "authorized":
        raise NotCapturable(payment.payment_id, payment.status, "captured")
    _no_operation_open(payment)
    wanted = payment.amount_capturable if amount is None else amount
    if wanted > payment.amount_capturable or wanted <= 0:
        raise AmountExceedsCapturable(
            f"cannot capture {wanted}: {payment.amount_capturable} is capturable"
        )
    payment.operation = Operation(
        operation_id=operation_id, kind="capture", amount=wanted, sent_at=now
    )
    return payment.operation


def request_void(payment: Payment, operation_id: str, now: datetime | None = None) -> Operation:
    if payment.status != "authorized":
        raise NotCancelable(payment.payment_id, payment.status, "canceled")
    _no_operation_open(payment)
    payment.operation = Operation(operation_id=operation_id, kind="void", amount=0, sent_at=now)
    return payment.operation


def operation_resent(payment: Payment) -> Operation | None:
    """The open capture or void goes to the provider again, under the same id."""
    op = payment.operation
    if op is None:
        return None
    payment.operation = replace(op, status="unknown", resends=op.resends + 1)
    return payment.operation


def _after_resends(op: Operation) -> str:
    if not op.resends:
        return ""
    times = "once" if op.resends == 1 else f"{op.resends} times"
    return f" (sent again {times}: an answer was undetermined or lost)"


def _open_operation(payment: Payment, operation_id: str, kind: OperationKind) -> Operation | None:
    op = payment.operation
    if op is None or op.operation_id != operation_id or op.kind != kind:
        return None
    return op


def operation_succeeded(
    payment: Payment, operation_id: str, kind: OperationKind, now: datetime
) -> str | None:
    """The provider did the capture or void `operation_id`."""
    op = _open_operation(payment, operation_id, kind)
    if op is None:
        return None
    payment.operation = None
    if kind == "void":
        if not payment.can_move_to("canceled"):
            return None
        released = payment.amount_capturable
        payment.amount_capturable = 0
        payment.move_to("canceled", now)
        return f"authorization voided; {released} released{_after_resends(op)}"
    if not payment.can_move_to("captured"):
        return None
    authorized = payment.amount_capturable
    payment.capture(op.amount, now)
    released = authorized - op.amount
    rest = f"; {released} released" if released else ""
    return f"captured {op.amount} of {authorized} authorized{rest}{_after_resends(op)}"


def operation_failed(
    payment: Payment, operation_id: str, kind: OperationKind, error: ProviderError, now: datetime
) -> str | None:
    """The provider refused (or did not answer) the capture or void `operation_id`.

    A refusal closes the operation; the payment stays `authorized`. An
    undetermined answer (`timeout`) leaves it open (`unknown`): the provider may
    have done it, and the same command is sent again until it says; answers
    that tell nothing of it (`NOT_DEFINITE`) then leave it unknown.
    """
    op = _open_operation(payment, operation_id, kind)
    if op is None:
        return None
    if error.category == "timeout":
        payment.operation = replace(op, status="unknown")
        return None
    if op.status == "unknown" and error.category in NOT_DEFINITE:
        return None  # the first request may have done it: only a definite answer tells
    payment.operation = None
    payment.touch(now)
    return (
        f"{payment.provider} refused the {kind}: {error.code} ({error.category}); "
        "the payment stays authorized"
    )


def refuse(payment: Payment, now: datetime) -> None:
    """A refused command still gets an answering event, with a newer snapshot."""
    payment.touch(now)


def await_verification(payment: Payment, expires_at: datetime, now: datetime) -> str:
    payment.provider = MANUAL_PROVIDER
    payment.verification_expires_at = expires_at
    payment.move_to("pending_verification", now)
    method = payment.payment_method.type.replace("_", " ")
    return f"{method} waits for an operator's verification until {expires_at.isoformat()}"


def verify(
    payment: Payment, decision: Literal["approve", "reject"], note: str | None, now: datetime
) -> str:
    if payment.status != "pending_verification":
        wanted: PaymentStatus = "captured" if decision == "approve" else "failed"
        raise NotAwaitingVerification(payment.payment_id, payment.status, wanted)
    payment.verification_expires_at = None
    suffix = f": {note}" if note else ""
    if decision == "approve":
        payment.capture(payment.amount, now)
        return f"verified by an operator{suffix}"
    payment.fail(
        PaymentFailure(
            code="verification_rejected", message=f"an operator rejected the payment{suffix}"
        ),
        now,
    )
    return f"rejected by an operator{suffix}"


def expire_verification(payment: Payment, now: datetime) -> str | None:
    expires_at = payment.verification_expires_at
    if payment.status != "pending_verification" or expires_at is None or now < expires_at:
        return None
    payment.verification_expires_at = None
    payment.fail(
        PaymentFailure(
            code="verification_expired",
            message=f"not verified before {expires_at.isoformat()}",
        ),
        now,
    )
    return "no operator verified the payment in time"
