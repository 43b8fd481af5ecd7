"""Capture, cancel and verify a payment, and the provider's answers to them.

A command the payment refuses is answered with `PaymentOperationFailed`
(status unchanged, newer version), so the gateway always learns the outcome.
A capture or void sent to the provider ends in `PaymentCaptured`,
`PaymentCanceled` or `PaymentOperationFailed`: until the provider answers
definitely it is sent again (`resend`). Answers about reversals of late
successes and about refunds go to their own handlers.
"""

from __future__ import annotations

from typing import Literal

from orchestrator.domain import Payment, PaymentError
from orchestrator.domain import operations as ops
from orchestrator.handlers.commands import operation_command
from orchestrator.handlers.publishing import payment_of, publish_for_payment, publish_status_change
from orchestrator.handlers.refunds import refund_failed, refund_succeeded
from orchestrator.handlers.resend import watch_operation
from orchestrator.handlers.reversals import is_reversal, reversal_failed, reversal_succeeded
from orchestrator.recovery import DEFAULT_POLICY, RecoveryPolicy
from orchestrator.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.ids import new_id
from payroute_common.messages import (
    CancelPayment,
    CapturePayment,
    PaymentFailure,
    PaymentOperationFailed,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    VerifyPayment,
)

Operation = Literal["capture", "cancel", "verify"]


def _refused(
    uow: HandlerUnitOfWork,
    payment: Payment,
    operation: Operation,
    failure: PaymentFailure,
    reason: str,
    cause: Envelope,
) -> None:
    event = PaymentOperationFailed(
        payment=payment.snapshot(), operation=operation, failure=failure, reason=reason
    )
    publish_for_payment(uow, event, payment, cause)


def _refuse(
    uow: HandlerUnitOfWork,
    payment: Payment,
    operation: Operation,
    error: PaymentError,
    cause: Envelope,
) -> None:
    ops.refuse(payment, utcnow())
    _refused(uow, payment, operation, error.failure(), f"{operation} refused: {error}", cause)


async def capture_payment(
    cmd: CapturePayment,
    *,
    uow: HandlerUnitOfWork,
    envelope: Envelope,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    payment = payment_of(uow, cmd.payment_id)
    now = utcnow()
    try:
        op = ops.request_capture(payment, new_id("op"), cmd.amount, now)
    except PaymentError as error:
        _refuse(uow, payment, "capture", error, envelope)
        return
    publish_for_payment(uow, operation_command(payment, op), payment, envelope)
    watch_operation(uow, payment, op.operation_id, now, policy)


async def cancel_payment(
    cmd: CancelPayment,
    *,
    uow: HandlerUnitOfWork,
    envelope: Envelope,
    policy: RecoveryPolicy = DEFAULT_POLICY,
) -> None:
    payment = payment_of(uow, cmd.payment_id)
    now = utcnow()
    try:
        op = ops.request_void(payment, new_id("op"), now)
    except PaymentError as error:
        _refuse(uow, payment, "cancel", error, envelope)
        return
    publish_for_payment(uow, operation_command(payment, op), payment, envelope)
    watch_operation(uow, payment, op.operation_id, now, policy)


async def verify_payment(cmd: VerifyPayment, *, uow: HandlerUnitOfWork, envelope: Envelope) -> None:
    payment = payment_of(uow, cmd.payment_id)
    try:
        reason = ops.verify(payment, cmd.decision, cmd.note, utcnow())
    except PaymentError as error:
        _refuse(uow, payment, "verify", error, envelope)
        return
    publish_status_change(uow, payment, reason, envelope)


async def operation_succeeded(
    msg: ProviderOperationSucceeded, *, uow: HandlerUnitOfWork, envelope: Envelope
) -> None:
    payment = payment_of(uow, msg.payment_id)
    if is_reversal(payment, msg.operation_id):
        pending = msg.outcome == "pending"
        reversal_succeeded(uow, payment, msg.operation_id, pending, envelope, utcnow())
        return
    if msg.operation == "refund":
        await refund_succeeded(msg, uow=uow, envelope=envelope)
        return
    reason = ops.operation_succeeded(payment, msg.operation_id, msg.operation, utcnow())
    publish_status_change(uow, payment, reason, envelope)


async def operation_failed(
    msg: ProviderOperationFailed, *, uow: HandlerUnitOfWork, envelope: Envelope
) -> None:
    payment = payment_of(uow, msg.payment_id)
    if is_reversal(payment, msg.operation_id):
        reversal_failed(uow, payment, msg.operation_id, msg.error, envelope, utcnow())
        return
    if msg.operation == "refund":
        await refund_failed(msg, uow=uow, envelope=envelope)
        return
    reason = ops.operation_failed(payment, msg.operation_id, msg.operation, msg.error, utcnow())
    if reason is not None:
        error = msg.error
        failure = PaymentFailure(
            code=error.code, message=error.message, decline_code=error.decline_code
        )
        operation: Operation = "capture" if msg.operation == "capture" else "cancel"
        _refused(uow, payment, operation, failure, reason, envelope)
