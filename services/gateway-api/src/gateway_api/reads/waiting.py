"""`Prefer: wait`: hold an answer until the payment or refund settles, or the wait runs out."""

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
    async with waiters.woken_on_change(object_id) as changed:
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
