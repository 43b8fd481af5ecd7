"""The refund aggregate, and what refunds do to their payment. Pure.

Invariant: succeeded + pending refunds never exceed the captured amount. A
pending refund reserves its amount on the payment (`amount_refund_pending`);
success moves it to `amount_refunded`, failure releases it. Every refund event
carries the payment too, so each one bumps the payment's version.

A refund stays pending while the provider has not answered definitely
(`answer`): after an undetermined answer, or none, it is sent again with the same
id; after the provider accepted it for later (Stripe's and PayMongo's `pending`),
its webhook settles it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orchestrator.domain.errors import (
    AmountExceedsRefundable,
    CurrencyMismatch,
    NotRefundable,
    PaymentError,
)
from orchestrator.domain.payment import Payment
from orchestrator.domain.resend import ProviderAnswer
from orchestrator.domain.states import REFUNDABLE
from payroute_common.messages import PaymentFailure
from payroute_common.messages.values import RefundSnapshot, RefundStatus


@dataclass
class Refund:
    refund_id: str
    payment_id: str
    merchant_id: str
    amount: int
    currency: str
    reason: str | None
    created_at: datetime
    updated_at: datetime
    status: RefundStatus = "pending"
    provider: str | None = None
    provider_reference: str | None = None
    failure: PaymentFailure | None = None
    answer: ProviderAnswer = "none"

    def snapshot(self) -> RefundSnapshot:
        return RefundSnapshot(
            refund_id=self.refund_id,
            payment_id=self.payment_id,
            merchant_id=self.merchant_id,
            amount=self.amount,
            currency=self.currency,
            reason=self.reason,
            status=self.status,
            provider=self.provider,
            provider_reference=self.provider_reference,
            failure=self.failure,
            created_at=self.created_at,
            updated_at=self.updated_at,
        )


def refundable(payment: Payment) -> int:
    return payment.amount_captured - payment.amount_refunded - payment.amount_refund_pending


def _check(payment: Payment, amount: int, currency: str) -> None:
    if payment.status not in REFUNDABLE:
        raise NotRefundable(f"payment {payment.payment_id} is {payment.status}, not refundable")
    if currency != payment.currency:
        raise CurrencyMismatch(f"refund in {currency} of a payment in {payment.currency}")
    if amount > refundable(payment):
        raise AmountExceedsRefundable(
            f"cannot refund {amount}: {refundable(payment)} of {payment.amount_captured} "
            "captured is refundable"
        )


def open_refund(
    payment: Payment,
    refund_id: str,
    amount: int,
    currency: str,
    reason: str | None,
    now: datetime,
) -> tuple[Refund, str]:
    """A pending refund, its amount reserved; or a failed one if the payment refuses it."""
    refund = Refund(
        refund_id=refund_id,
        payment_id=payment.payment_id,
        merchant_id=payment.merchant_id,
        amount=amount,
        currency=currency,
        reason=reason,
        provider=payment.provider,
        created_at=now,
        updated_at=now,
    )
    try:
        _check(payment, amount, currency)
    except PaymentError as refused:
        refund.status = "failed"
        refund.failure = refused.failure()
        payment.touch(now)
        return refund, f"refund {refund_id} of {amount} refused: {refused.message}"
    payment.amount_refund_pending += amount
    payment.touch(now)
    return refund, f"refund {refund_id} of {amount} requested from {payment.provider}"


def refund_succeeded(
    payment: Payment, refund: Refund, provider_reference: str | None, now: datetime
) -> str | None:
    if refund.status != "pending":
        return None
    refund.status = "succeeded"
    refund.provider_reference = provider_reference
    refund.updated_at = now
    payment.amount_refund_pending -= refund.amount
    payment.amount_refunded += refund.amount
    if payment.status == "disputed":
        payment.touch(now)  # asked before the dispute: the dispute's end sets the status
        return f"refund {refund.refund_id} of {refund.amount} succeeded"
    fully = payment.amount_refunded >= payment.amount_captured
    payment.move_to("refunded" if fully else "partially_refunded", now)
    return f"refund {refund.refund_id} of {refund.amount} succeeded"


def refund_reference_learnt(
    payment: Payment, refund: Refund, provider_reference: str | None, now: datetime
) -> str | None:
    """The provider's id of a refund that news about the whole charge already settled.

    A charge-level webhook (Stripe's `charge.refunded`) can settle a refund before the
    provider's own answer arrives; that answer still names the refund, which
    reconciliation matches settlement lines by. None when there is nothing to learn.
    """
    if refund.status != "succeeded" or refund.provider_reference or not provider_reference:
        return None
    refund.provider_reference = provider_reference
    refund.updated_at = now
    payment.touch(now)
    return f"refund {refund.refund_id} is {provider_reference} at {refund.provider}"


def refund_failed(
    payment: Payment, refund: Refund, failure: PaymentFailure, now: datetime
) -> str | None:
    if refund.status != "pending":
        return None
    refund.status = "failed"
    refund.failure = failure
    refund.updated_at = now
    payment.amount_refund_pending -= refund.amount
    payment.touch(now)
    return (
        f"refund {refund.refund_id} of {refund.amount} failed ({failure.code}: "
        f"{failure.message}); the {refund.amount} is refundable again"
    )


def refund_accepted(
    payment: Payment, refund: Refund, provider_reference: str | None, now: datetime
) -> str | None:
    """The provider took the refund and settles it later; its amount stays held."""
    if refund.status != "pending" or refund.answer == "accepted":
        return None
    refund.answer = "accepted"
    refund.provider_reference = provider_reference or refund.provider_reference
    refund.updated_at = now
    payment.touch(now)
    return (
        f"refund {refund.refund_id} of {refund.amount}: {refund.provider} accepted it and "
        f"settles it later; the {refund.amount} stays held until it says"
    )


def refund_undetermined(refund: Refund) -> bool:
    """The provider's answer told nothing; the refund will be sent again. False if settled."""
    if refund.status != "pending" or refund.answer == "accepted":
        return False
    refund.answer = "undetermined"
    return True
