"""Payment commands: create, capture, cancel, verify.

Each checks against the read model, records, stages its command in the outbox and
keeps the idempotent answer, in one transaction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gateway_api.admin.roles import require_role
from gateway_api.domain import (
    Operation,
    Payment,
    Principal,
    ResourceMissing,
    check_cancel,
    check_capture,
    check_verify,
)
from gateway_api.idempotency.answers import claim, refusals_kept_if_final, remember
from gateway_api.idempotency.rules import IdempotentRequest
from gateway_api.payments import rules as payment_rules
from gateway_api.payments.schemas import (
    CapturePaymentRequest,
    CreatePaymentRequest,
    PaymentObject,
    VerifyPaymentRequest,
)
from gateway_api.unit_of_work import HandlerUnitOfWork
from payroute_common.catalog import MANUAL_METHODS
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope, Message
from payroute_common.ids import new_id
from payroute_common.messages import (
    CancelPayment,
    CapturePayment,
    CreatePayment,
    VerifyPayment,
)
from payroute_common.topics import PAYMENT_COMMANDS

PRODUCER = "gateway-api"


def payment_body(payment: Payment) -> dict[str, Any]:
    return PaymentObject.of(payment).model_dump(mode="json")


def stage_payment_command(
    command: Message, merchant_id: str, payment_id: str, uow: HandlerUnitOfWork
) -> None:
    envelope = Envelope.wrap(
        command, producer=PRODUCER, tenant_id=merchant_id, aggregate_id=payment_id
    )
    uow.publish(PAYMENT_COMMANDS, payment_id, envelope)


async def create_payment(
    request: CreatePaymentRequest,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    idempotency: IdempotentRequest | None = None,
    payment_id: str | None = None,
) -> Payment:
    """Record the payment as `processing` and stage `CreatePayment`, in one transaction.

    `payment_id`, if given, is the new payment's id (new_id("pay")), chosen by a
    caller that watches the payment from before it is committed."""
    method = request.payment_method.type
    payment_rules.check_new_payment(method, request.return_url, request.metadata)
    settings = await uow.merchant_settings.get(principal.merchant_id)
    settings.check_payment(request.amount, request.currency, method)
    await claim(idempotency, principal.merchant_id, uow=uow)
    now = utcnow()
    payment = Payment(
        id=payment_id or new_id("pay"),
        merchant_id=principal.merchant_id,
        amount=request.amount,
        currency=request.currency,
        capture_method=request.capture_method,
        payment_method=request.payment_method,
        order_id=request.order_id,
        customer_id=request.customer_id,
        description=request.description,
        metadata=request.metadata,
        return_url=request.return_url,
        created_at=now,
        updated_at=now,
    )
    await uow.payments.add(payment)
    command = CreatePayment(
        payment_id=payment.id,
        merchant_id=payment.merchant_id,
        amount=payment.amount,
        currency=payment.currency,
        capture_method=payment.capture_method,
        payment_method=payment.payment_method,
        provider=request.provider,
        order_id=payment.order_id,
        customer_id=payment.customer_id,
        description=payment.description,
        metadata=payment.metadata,
        return_url=payment.return_url,
        created_at=payment.created_at,
        platform_fee_ppm=settings.platform_fee_ppm,
        routing=settings.routing,
        verification_ttl_seconds=(
            settings.verification_ttl_seconds if method in MANUAL_METHODS else None
        ),
    )
    stage_payment_command(command, payment.merchant_id, payment.id, uow)
    await remember(idempotency, principal.merchant_id, 201, payment_body(payment), uow=uow)
    await uow.commit()
    return payment


async def locked_payment(
    payment_id: str, *, principal: Principal, uow: HandlerUnitOfWork
) -> Payment:
    payment = await uow.payments.get_for_update(principal.merchant_id, payment_id)
    if payment is None:
        raise ResourceMissing("payment", payment_id)
    return payment


async def start_operation(
    payment: Payment,
    operation: Operation,
    command: Message,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    idempotency: IdempotentRequest | None,
) -> Payment:
    await uow.payments.start_operation(payment.id, operation)
    payment = replace(payment, pending_operation=operation)
    stage_payment_command(command, payment.merchant_id, payment.id, uow)
    await remember(idempotency, principal.merchant_id, 200, payment_body(payment), uow=uow)
    await uow.commit()
    return payment


async def capture_payment(
    payment_id: str,
    request: CapturePaymentRequest,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    idempotency: IdempotentRequest | None = None,
) -> Payment:
    """Check against the locked read-model row, then stage `CapturePayment`."""
    await claim(idempotency, principal.merchant_id, uow=uow)
    async with refusals_kept_if_final(idempotency, principal.merchant_id, uow=uow):
        payment = await locked_payment(payment_id, principal=principal, uow=uow)
        amount = check_capture(payment, request.amount)
    command = CapturePayment(
        payment_id=payment.id,
        merchant_id=payment.merchant_id,
        amount=amount,
        requested_at=utcnow(),
    )
    return await start_operation(
        payment, "capture", command, principal=principal, uow=uow, idempotency=idempotency
    )


async def cancel_payment(
    payment_id: str,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    idempotency: IdempotentRequest | None = None,
) -> Payment:
    await claim(idempotency, principal.merchant_id, uow=uow)
    async with refusals_kept_if_final(idempotency, principal.merchant_id, uow=uow):
        payment = await locked_payment(payment_id, principal=principal, uow=uow)
        check_cancel(payment)
    command = CancelPayment(
        payment_id=payment.id, merchant_id=payment.merchant_id, requested_at=utcnow()
    )
    return await start_operation(
        payment, "cancel", command, principal=principal, uow=uow, idempotency=idempotency
    )


async def verify_payment(
    payment_id: str,
    request: VerifyPaymentRequest,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    idempotency: IdempotentRequest | None = None,
) -> Payment:
    """An operator approves or rejects a manual payment waiting for verification."""
    require_role(principal, "operator", "verify payments")
    await claim(idempotency, principal.merchant_id, uow=uow)
    async with refusals_kept_if_final(idempotency, principal.merchant_id, uow=uow):
        payment = await locked_payment(payment_id, principal=principal, uow=uow)
        check_verify(payment)
    command = VerifyPayment(
        payment_id=payment.id,
        merchant_id=payment.merchant_id,
        decision=request.decision,
        operator_key_id=principal.key_id,
        note=request.note,
        requested_at=utcnow(),
    )
    return await start_operation(
        payment, "verify", command, principal=principal, uow=uow, idempotency=idempotency
    )
