"""What merchants read: a payment, a page of payments, a refund, a payment's refunds,
its timeline."""

from __future__ import annotations

from gateway_api.domain import (
    Payment,
    Principal,
    Refund,
    ResourceMissing,
    TimelineEvent,
)
from gateway_api.payments.store import PaymentFilters
from gateway_api.unit_of_work import HandlerUnitOfWork


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
