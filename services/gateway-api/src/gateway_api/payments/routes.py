"""`/v1/payments`: create, capture, cancel, verify, retrieve, list, timeline.

Thin edge: decode, call a command or query, encode. Every POST takes an
`Idempotency-Key` and `Prefer: wait` (see `dependencies`).
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BeforeValidator

from gateway_api.dependencies import (
    Command,
    CommandDep,
    PrincipalDep,
    UnitOfWorkDep,
    WaitDep,
    WaitersDep,
)
from gateway_api.domain import Payment
from gateway_api.edge.error_schemas import error_responses
from gateway_api.idempotency import answers
from gateway_api.payments import commands
from gateway_api.payments.schemas import (
    CancelPaymentRequest,
    CapturePaymentRequest,
    CreatePaymentRequest,
    PaymentList,
    PaymentObject,
    VerifyPaymentRequest,
)
from gateway_api.payments.store import PaymentFilters
from gateway_api.reads import queries, waiting
from gateway_api.reads.timeline_schemas import PaymentEventList, PaymentEventObject
from payroute_common.ids import new_id
from payroute_common.messages.values import PaymentStatus


def _iso_8601_only(value: object) -> object:
    """A bare number is not taken as a Unix time: the parameter is documented as ISO 8601."""
    if isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit():
        raise ValueError("expected an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_8601_only)]

router = APIRouter(prefix="/v1", tags=["payments"])


async def _answer(
    call: Command, payment_id: str, status_code: int, command: Awaitable[Payment]
) -> PaymentObject:
    """Run `command` on `payment_id` and answer with the payment; with `Prefer: wait`,
    once it settles. The wait is registered before the command commits, so the
    payment the command wrote is where waiting starts. A waited answer is the key's."""
    async with call.waiters.woken_on_change(payment_id) as changed:
        payment = await command
        if call.wait_s:
            payment = await waiting.follow_payment(
                payment, changed, call.wait_s, principal=call.principal, uow=call.uow
            )
    answer = PaymentObject.of(payment)
    await answers.remember_final_answer(
        call.idempotency,
        call.principal.merchant_id,
        status_code,
        answer.model_dump(mode="json"),
        uow=call.uow,
    )
    return answer


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentObject,
    responses=error_responses(400, 401, 409, 413, 500),
    summary="Create a payment",
)
async def create_payment(body: CreatePaymentRequest, call: CommandDep) -> PaymentObject:
    payment_id = new_id("pay")
    command = commands.create_payment(
        body,
        payment_id=payment_id,
        principal=call.principal,
        uow=call.uow,
        idempotency=call.idempotency,
    )
    return await _answer(call, payment_id, 201, command)


@router.post(
    "/payments/{payment_id}/capture",
    response_model=PaymentObject,
    responses=error_responses(400, 401, 404, 409, 413, 500),
    summary="Capture an authorized payment (all or part of it)",
)
async def capture_payment(
    payment_id: str, call: CommandDep, body: CapturePaymentRequest | None = None
) -> PaymentObject:
    command = commands.capture_payment(
        payment_id,
        body or CapturePaymentRequest(),
        principal=call.principal,
        uow=call.uow,
        idempotency=call.idempotency,
    )
    return await _answer(call, payment_id, 200, command)


@router.post(
    "/payments/{payment_id}/cancel",
    response_model=PaymentObject,
    responses=error_responses(400, 401, 404, 409, 413, 500),
    summary="Cancel (void) a payment not yet captured",
)
async def cancel_payment(
    payment_id: str, call: CommandDep, body: CancelPaymentRequest | None = None
) -> PaymentObject:
    command = commands.cancel_payment(
        payment_id, principal=call.principal, uow=call.uow, idempotency=call.idempotency
    )
    return await _answer(call, payment_id, 200, command)


@router.post(
    "/payments/{payment_id}/verify",
    response_model=PaymentObject,
    responses=error_responses(400, 401, 403, 404, 409, 413, 500),
    summary="Approve or reject a manual payment (operator and admin keys)",
)
async def verify_payment(
    payment_id: str, body: VerifyPaymentRequest, call: CommandDep
) -> PaymentObject:
    command = commands.verify_payment(
        payment_id, body, principal=call.principal, uow=call.uow, idempotency=call.idempotency
    )
    return await _answer(call, payment_id, 200, command)


@router.get(
    "/payments",
    response_model=PaymentList,
    responses=error_responses(400, 401, 404, 500),
    summary="List payments, newest first",
)
async def list_payments(
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")] = 10,
    starting_after: Annotated[
        str | None, Query(description="A payment id: the page starts after it (cursor).")
    ] = None,
    order_id: Annotated[str | None, Query(max_length=255)] = None,
    customer_id: Annotated[str | None, Query(max_length=255)] = None,
    status: PaymentStatus | None = None,
    created_gte: Annotated[
        IsoDatetime | None,
        Query(alias="created[gte]", description="Created at or after (ISO 8601)."),
    ] = None,
    created_lte: Annotated[
        IsoDatetime | None,
        Query(alias="created[lte]", description="Created at or before (ISO 8601)."),
    ] = None,
) -> PaymentList:
    filters = PaymentFilters(
        order_id=order_id,
        customer_id=customer_id,
        status=status,
        created_gte=created_gte,
        created_lte=created_lte,
    )
    payments, has_more = await queries.list_payments(
        filters, limit, starting_after, principal=principal, uow=uow
    )
    return PaymentList(
        data=[PaymentObject.of(p) for p in payments], has_more=has_more, url=request.url.path
    )


@router.get(
    "/payments/{payment_id}",
    response_model=PaymentObject,
    responses=error_responses(401, 404, 500),
    summary="Retrieve a payment",
)
async def get_payment(
    payment_id: str,
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    wait_s: WaitDep,
    waiters: WaitersDep,
) -> PaymentObject:
    if wait_s:
        payment = await waiting.wait_until_settled(
            payment_id, wait_s, principal=principal, uow=uow, waiters=waiters
        )
    else:
        payment = await queries.get_payment(payment_id, principal=principal, uow=uow)
    return PaymentObject.of(payment)


@router.get(
    "/payments/{payment_id}/events",
    response_model=PaymentEventList,
    responses=error_responses(401, 404, 500),
    summary="The payment's timeline: every state change, attempt and refusal, by version",
)
async def payment_events(
    payment_id: str, principal: PrincipalDep, uow: UnitOfWorkDep, request: Request
) -> PaymentEventList:
    events = await queries.payment_timeline(payment_id, principal=principal, uow=uow)
    return PaymentEventList(data=[PaymentEventObject.of(e) for e in events], url=request.url.path)
