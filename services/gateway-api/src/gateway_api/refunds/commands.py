"""The refund command: a `pending` refund recorded and `RefundPayment` staged, under the
payment's row lock."""

from __future__ import annotations

from typing import Any

from gateway_api.domain import (
    Principal,
    Refund,
    check_refund,
)
from gateway_api.idempotency.answers import claim, refusals_kept_if_final, remember
from gateway_api.idempotency.rules import IdempotentRequest
from gateway_api.payments.commands import locked_payment, stage_payment_command
from gateway_api.refunds.schemas import CreateRefundRequest, RefundObject
from gateway_api.unit_of_work import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.ids import new_id
from payroute_common.messages import (
    RefundPayment,
)


def refund_body(refund: Refund) -> dict[str, Any]:
    return RefundObject.of(refund).model_dump(mode="json")


async def create_refund(
    request: CreateRefundRequest,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    idempotency: IdempotentRequest | None = None,
    refund_id: str | None = None,
) -> Refund:
    """Record a `pending` refund and stage `RefundPayment`, under the payment's row lock.

    The lock serializes refunds of one payment, and the sum is taken from the gateway's
    own refunds table (written in this transaction), so it is exact before any answer.
    `refund_id`, if given, is the new refund's id (new_id("re")), chosen by a caller
    that watches the refund from before it is committed.
    """
    await claim(idempotency, principal.merchant_id, uow=uow)
    async with refusals_kept_if_final(idempotency, principal.merchant_id, uow=uow):
        payment = await locked_payment(request.payment_id, principal=principal, uow=uow)
        refunded = await uow.refunds.refunded(payment.id)
        amount = check_refund(payment, request.amount, refunded)
    now = utcnow()
    refund = Refund(
        id=refund_id or new_id("re"),
        payment_id=payment.id,
        merchant_id=payment.merchant_id,
        amount=amount,
        currency=payment.currency,
        reason=request.reason,
        created_at=now,
        updated_at=now,
    )
    await uow.refunds.add(refund)
    command = RefundPayment(
        refund_id=refund.id,
        payment_id=payment.id,
        merchant_id=payment.merchant_id,
        amount=amount,
        currency=payment.currency,
        reason=request.reason,
        created_at=now,
    )
    stage_payment_command(command, payment.merchant_id, payment.id, uow)
    await remember(idempotency, principal.merchant_id, 201, refund_body(refund), uow=uow)
    await uow.commit()
    return refund
