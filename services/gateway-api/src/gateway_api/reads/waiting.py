"""`Prefer: wait`: hold an answer until the payment or refund settles, or the wait runs out.

A waiter is registered (`PaymentWaiters.woken_on_change`) before the state it starts
from is known: a command registers before its transaction commits, so the object it
wrote is that state and needs no re-read; a GET registers, then reads. Either way a
change after that point wakes it, and it reads again only when woken.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from gateway_api.domain import (
    Payment,
    Principal,
    Refund,
)
from gateway_api.reads.changes import SETTLING, PaymentWaiters
from gateway_api.reads.queries import get_payment, get_refund
from gateway_api.unit_of_work import HandlerUnitOfWork

T = TypeVar("T")


def settled(payment: Payment) -> bool:
    """Out of pending/processing, with no capture, cancel or verification unanswered."""
    return payment.status not in SETTLING and payment.pending_operation is None


def refund_settled(refund: Refund) -> bool:
    return refund.status != "pending"


async def wait_until_settled(
    payment_id: str,
    wait_s: float,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
    waiters: PaymentWaiters,
) -> Payment:
    """The payment once settled (see `settled`), or as it is when `wait_s` runs out."""
    async with waiters.woken_on_change(payment_id) as changed:
        payment = await get_payment(payment_id, principal=principal, uow=uow)
        return await follow_payment(payment, changed, wait_s, principal=principal, uow=uow)


async def follow_payment(
    payment: Payment,
    changed: asyncio.Event,
    wait_s: float,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
) -> Payment:
    """From `payment` as the caller's committed transaction left it, with `changed`
    registered before that commit: once settled, or as it is when `wait_s` runs out."""

    async def read() -> Payment:
        return await get_payment(payment.id, principal=principal, uow=uow)

    return await follow(payment, settled, read, changed, wait_s, uow=uow)


async def follow_refund(
    refund: Refund,
    changed: asyncio.Event,
    wait_s: float,
    *,
    principal: Principal,
    uow: HandlerUnitOfWork,
) -> Refund:
    """As `follow_payment`, for a refund: until it leaves `pending`."""

    async def read() -> Refund:
        return await get_refund(refund.id, principal=principal, uow=uow)

    return await follow(refund, refund_settled, read, changed, wait_s, uow=uow)


async def follow(
    current: T,
    done: Callable[[T], bool],
    read: Callable[[], Awaitable[T]],
    changed: asyncio.Event,
    wait_s: float,
    *,
    uow: HandlerUnitOfWork,
) -> T:
    """Read again each time `changed` is set, until `done` or `wait_s` runs out.

    `current` must be the object's state as of a moment after `changed` was
    registered; the last read's transaction is left open for the caller (to keep
    the answer under its Idempotency-Key in it, or to let it end with the request).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while not done(current):
        remaining = deadline - loop.time()
        if remaining <= 0:
            return current
        await uow.commit()  # hold no database connection while waiting
        try:
            await asyncio.wait_for(changed.wait(), remaining)
        except TimeoutError:
            return current
        changed.clear()  # before reading: a change after the read still wakes us
        current = await read()
    return current
