"""The provider commands for a payment's operations, built the same way every time
they are sent: a command sent again must be the very same request (same id, same
parameters), or the provider's idempotency check refuses it."""

from __future__ import annotations

from orchestrator.domain import Operation, Payment, Refund
from orchestrator.domain.attempts import Reversal
from payroute_common.messages import CaptureAuthorization, RefundCharge, VoidAuthorization


def _at(payment: Payment) -> tuple[str, str]:
    assert payment.provider is not None
    assert payment.provider_reference is not None
    return payment.provider, payment.provider_reference


def operation_command(payment: Payment, op: Operation) -> CaptureAuthorization | VoidAuthorization:
    provider, reference = _at(payment)
    if op.kind == "capture":
        return CaptureAuthorization(
            payment_id=payment.payment_id,
            operation_id=op.operation_id,
            provider=provider,
            provider_reference=reference,
            amount=op.amount,
            currency=payment.currency,
        )
    return VoidAuthorization(
        payment_id=payment.payment_id,
        operation_id=op.operation_id,
        provider=provider,
        provider_reference=reference,
    )


def refund_command(payment: Payment, refund: Refund) -> RefundCharge:
    provider, reference = _at(payment)
    return RefundCharge(
        payment_id=payment.payment_id,
        operation_id=refund.refund_id,
        provider=refund.provider or provider,
        provider_reference=reference,
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
        metadata={"payment_id": payment.payment_id, "refund_id": refund.refund_id},
    )


def reversal_command(payment: Payment, reversal: Reversal) -> VoidAuthorization | RefundCharge:
    """Give back a late success at its own provider, with its own reference."""
    if reversal.kind == "void":
        return VoidAuthorization(
            payment_id=payment.payment_id,
            operation_id=reversal.operation_id,
            provider=reversal.provider,
            provider_reference=reversal.provider_reference,
        )
    return RefundCharge(
        payment_id=payment.payment_id,
        operation_id=reversal.operation_id,
        provider=reversal.provider,
        provider_reference=reversal.provider_reference,
        amount=reversal.amount,
        currency=reversal.currency,
        reason="duplicate",
        metadata={"payment_id": payment.payment_id, "refund_id": reversal.operation_id},
    )
