"""One function per thing gateway-api does: API requests, payment events, CLI commands."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from gateway_api.domain import (
    ApiKey,
    AuthenticationFailed,
    IssuedKey,
    Merchant,
    Payment,
    Principal,
    ResourceMissing,
    Role,
    Tier,
    hash_secret,
    issue_key,
    looks_like_secret,
    masked,
    new_merchant,
)
from gateway_api.payment_changes import SETTLING, PaymentWaiters
from gateway_api.schemas import CreatePaymentRequest
from gateway_api.store import HandlerUnitOfWork
from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.ids import new_id
from payroute_common.messages import CreatePayment, PaymentEvent, PaymentSnapshot
from payroute_common.topics import PAYMENT_COMMANDS

PRODUCER = "gateway-api"


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


async def create_payment(
    request: CreatePaymentRequest, *, principal: Principal, uow: HandlerUnitOfWork
) -> Payment:
    """Record the payment as `processing` and stage `CreatePayment`, in one transaction."""
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
    )
    envelope = Envelope.wrap(
        command, producer=PRODUCER, tenant_id=payment.merchant_id, aggregate_id=payment.id
    )
    uow.publish(PAYMENT_COMMANDS, payment.id, envelope)
    await uow.commit()
    return payment


async def get_payment(payment_id: str, *, principal: Principal, uow: HandlerUnitOfWork) -> Payment:
    """The caller's payment; another merchant's id is as missing as an unknown one."""
    payment = await uow.payments.get(principal.merchant_id, payment_id)
    if payment is None:
        raise ResourceMissing("payment", payment_id)
    return payment


async def wait_until_settled(
    payment_id: str,
    wait_s: float,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    waiters: PaymentWaiters,
) -> Payment:
    """The payment once it leaves pending/processing, or as it is when `wait_s` runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    async with waiters.watch(payment_id) as changed:
        while True:
            changed.clear()  # before reading: a change after the read still wakes us
            payment = await get_payment(payment_id, principal=principal, uow=uow)
            await uow.commit()  # hold no database connection while waiting
            remaining = deadline - loop.time()
            if payment.status not in SETTLING or remaining <= 0:
                return payment
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                return payment


def latest_snapshots(events: Iterable[PaymentEvent]) -> list[PaymentSnapshot]:
    """The newest snapshot of each payment in a batch (events may arrive out of order)."""
    latest: dict[str, PaymentSnapshot] = {}
    for event in events:
        snapshot = event.payment
        seen = latest.get(snapshot.payment_id)
        if seen is None or snapshot.version > seen.version:
            latest[snapshot.payment_id] = snapshot
    return list(latest.values())


async def apply_payment_events(events: Iterable[PaymentEvent], *, uow: HandlerUnitOfWork) -> None:
    """Move the read model forward; a snapshot no newer than the row changes nothing."""
    await uow.payments.apply(latest_snapshots(events))


async def create_merchant(
    name: str, tier: Tier, *, uow: HandlerUnitOfWork
) -> tuple[Merchant, IssuedKey]:
    """A merchant and its first (merchant-role) key."""
    now = utcnow()
    merchant = new_merchant(name, tier, now)
    issued = issue_key(merchant.id, "merchant", now)
    await uow.merchants.add(merchant)
    await uow.api_keys.add(issued.key)
    await uow.commit()
    return merchant, issued


async def create_api_key(merchant_id: str, role: Role, *, uow: HandlerUnitOfWork) -> IssuedKey:
    if await uow.merchants.get(merchant_id) is None:
        raise ResourceMissing("merchant", merchant_id)
    issued = issue_key(merchant_id, role, utcnow())
    await uow.api_keys.add(issued.key)
    await uow.commit()
    return issued


async def revoke_api_key(key_id: str, *, uow: HandlerUnitOfWork) -> ApiKey:
    """Revoke a key; revoking it again is harmless."""
    key = await uow.api_keys.revoke(key_id, utcnow())
    if key is None:
        raise ResourceMissing("API key", key_id)
    await uow.commit()
    return key
