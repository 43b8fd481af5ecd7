"""One function per payment request gateway-api takes (the read model is applied in
`read_model`, keys are made in `api_keys`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from gateway_api import payment_rules
from gateway_api.domain import (
    AuthenticationFailed,
    Operation,
    Payment,
    Principal,
    Refund,
    ResourceMissing,
    TimelineEvent,
    check_cancel,
    check_capture,
    check_refund,
    check_verify,
    hash_secret,
    looks_like_secret,
    masked,
)
from gateway_api.idempotency import RETENTION, IdempotentRequest
from gateway_api.idempotent_answers import claim, refusals_kept_if_final, remember
from gateway_api.payment_changes import SETTLING, PaymentWaiters
from gateway_api.roles import require_role
from gateway_api.schemas import (
    CapturePaymentRequest,
    CreatePaymentRequest,
    CreateRefundRequest,
    PaymentObject,
    RefundObject,
    VerifyPaymentRequest,
)
from gateway_api.store import HandlerUnitOfWork, PaymentFilters
from payroute_common.catalog import MANUAL_METHODS
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope, Message
from payroute_common.ids import new_id
from payroute_common.messages import (
    CancelPayment,
    CapturePayment,
    CreatePayment,
    RefundPayment,
    VerifyPayment,
)
from payroute_common.topics import PAYMENT_COMMANDS

PRODUCER = "gateway-api"
T = TypeVar("T")


async def authenticate(secret: str | None, *, uow: HandlerUnitOfWork) -> Principal:
    """The caller behind a secret key; unknown, revoked or malformed keys all fail alike."""
    if not secret:
        raise AuthenticationFailed(
            "You did not provide an API key. Send it as 'Authorization: Bearer sk_...'.",
            code="api_key_missing",
        )
    principal = (
        await uow.api_keys.principal(hash_secret(secret)) if looks_like_secret(secret) else None
    )
    if principal is None:
        raise AuthenticationFailed(f"Invalid API key provided: {masked(secret)}")
    return principal


def payment_body(payment: Payment) -> dict[str, Any]:
    return PaymentObject.of(payment).model_dump(mode="json")


def refund_body(refund: Refund) -> dict[str, Any]:
    return RefundObject.of(refund).model_dump(mode="json")


def _stage(command: Message, merchant_id: str, payment_id: str, uow: HandlerUnitOfWork) -> None:
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
) -> Payment:
    """Record the payment as `processing` and stage `CreatePayment`, in one transaction."""
    method = request.payment_method.type
    payment_rules.check_new_payment(method, request.return_url, request.metadata)
    settings = await uow.merchant_settings.get(principal.merchant_id)
    settings.check_payment(request.amount, request.currency, method)
    await claim(idempotency, principal.merchant_id, uow=uow)
    now = utcnow()
    payment = Payment(
        id=new_id("pay"),
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
    _stage(command, payment.merchant_id, payment.id, uow)
    await remember(idempotency, principal.merchant_id, 201, payment_body(payment), uow=uow)
    await uow.commit()
    return payment


async def _locked_payment(
    payment_id: str, *, principal: Principal, uow: HandlerUnitOfWork
) -> Payment:
    payment = await uow.payments.get_for_update(principal.merchant_id, payment_id)
    if payment is None:
        raise ResourceMissing("payment", payment_id)
    return payment


async def _start_operation(
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
    _stage(command, payment.merchant_id, payment.id, uow)
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
        payment = await _locked_payment(payment_id, principal=principal, uow=uow)
        amount = check_capture(payment, request.amount)
    command = CapturePayment(
        payment_id=payment.id,
        merchant_id=payment.merchant_id,
        amount=amount,
        requested_at=utcnow(),
    )
    return await _start_operation(
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
        payment = await _locked_payment(payment_id, principal=principal, uow=uow)
        check_cancel(payment)
    command = CancelPayment(
        payment_id=payment.id, merchant_id=payment.merchant_id, requested_at=utcnow()
    )
    return await _start_operation(
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
        payment = await _locked_payment(payment_id, principal=principal, uow=uow)
        check_verify(payment)
    command = VerifyPayment(
        payment_id=payment.id,
        merchant_id=payment.merchant_id,
        decision=request.decision,
        operator_key_id=principal.key_id,
        note=request.note,
        requested_at=utcnow(),
    )
    return await _start_operation(
        payment, "verify", command, principal=principal, uow=uow, idempotency=idempotency
    )


async def create_refund(
    request: CreateRefundRequest,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    idempotency: IdempotentRequest | None = None,
) -> Refund:
    """Record a `pending` refund and stage `RefundPayment`, under the payment's row lock.

    The lock serializes refunds of one payment, and the sum is taken from the gateway's
    own refunds table (written in this transaction), so it is exact before any answer.
    """
    await claim(idempotency, principal.merchant_id, uow=uow)
    async with refusals_kept_if_final(idempotency, principal.merchant_id, uow=uow):
        payment = await _locked_payment(request.payment_id, principal=principal, uow=uow)
        refunded = await uow.refunds.refunded(payment.id)
        amount = check_refund(payment, request.amount, refunded)
    now = utcnow()
    refund = Refund(
        id=new_id("re"),
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
    _stage(command, payment.merchant_id, payment.id, uow)
    await remember(idempotency, principal.merchant_id, 201, refund_body(refund), uow=uow)
    await uow.commit()
    return refund


async def get_payment(payment_id: str, *, principal: Principal, uow: HandlerUnitOfWork) -> Payment:
    """The caller's payment; another merchant's id is as missing as an unknown one."""
    payment = await uow.payments.get(principal.merchant_id, payment_id)
    if payment is None:
        raise ResourceMissing("payment", payment_id)
    return payment


async def list_payments(
    filters: PaymentFilters,
    limit: int,
    starting_after: str | None,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
) -> tuple[list[Payment], bool]:
    """A page of the caller's payments, newest first, and whether more follow."""
    cursor = None
    if starting_after is not None:
        after = await get_payment(starting_after, principal=principal, uow=uow)
        cursor = (after.created_at, after.id)
    rows = await uow.payments.list(principal.merchant_id, filters, limit + 1, cursor)
    return rows[:limit], len(rows) > limit


async def get_refund(refund_id: str, *, principal: Principal, uow: HandlerUnitOfWork) -> Refund:
    refund = await uow.refunds.get(principal.merchant_id, refund_id)
    if refund is None:
        raise ResourceMissing("refund", refund_id)
    return refund


async def list_refunds(
    payment_id: str, *, principal: Principal, uow: HandlerUnitOfWork
) -> list[Refund]:
    """The refunds of one of the caller's payments, newest first."""
    await get_payment(payment_id, principal=principal, uow=uow)
    return await uow.refunds.for_payment(principal.merchant_id, payment_id)


async def payment_timeline(
    payment_id: str, *, principal: Principal, uow: HandlerUnitOfWork
) -> list[TimelineEvent]:
    await get_payment(payment_id, principal=principal, uow=uow)
    return await uow.timeline.for_payment(principal.merchant_id, payment_id)


def settled(payment: Payment) -> bool:
    """Out of pending/processing, with no capture, cancel or verification unanswered."""
    return payment.status not in SETTLING and payment.pending_operation is None


async def wait_until_settled(
    payment_id: str,
    wait_s: float,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    waiters: PaymentWaiters,
) -> Payment:
    """The payment once settled (see `settled`), or as it is when `wait_s` runs out."""

    async def read() -> tuple[Payment, bool]:
        payment = await get_payment(payment_id, principal=principal, uow=uow)
        return payment, settled(payment)

    return await _wait(payment_id, wait_s, read, uow=uow, waiters=waiters)


async def wait_until_refund_settled(
    refund_id: str,
    wait_s: float,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    waiters: PaymentWaiters,
) -> Refund:
    """The refund once it leaves `pending`, or as it is when `wait_s` runs out."""

    async def read() -> tuple[Refund, bool]:
        refund = await get_refund(refund_id, principal=principal, uow=uow)
        return refund, refund.status != "pending"

    return await _wait(refund_id, wait_s, read, uow=uow, waiters=waiters)


async def _wait(
    object_id: str,
    wait_s: float,
    read: Callable[[], Awaitable[tuple[T, bool]]],
    *,
    uow: HandlerUnitOfWork,
    waiters: PaymentWaiters,
) -> T:
    """Re-read on each notification for `object_id` until done or `wait_s` runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    async with waiters.watch(object_id) as changed:
        while True:
            changed.clear()  # before reading: a change after the read still wakes us
            current, done = await read()
            await uow.commit()  # hold no database connection while waiting
            remaining = deadline - loop.time()
            if done or remaining <= 0:
                return current
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return current


async def purge_idempotency_keys(now: datetime, *, uow: HandlerUnitOfWork) -> int:
    """Forget Idempotency-Keys older than the retention; how many were forgotten."""
    purged = await uow.idempotency.purge(now - RETENTION)
    await uow.commit()
    return purged
