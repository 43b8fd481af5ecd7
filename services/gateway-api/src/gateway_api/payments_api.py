"""`/v1/payments`: create, capture, cancel, verify, retrieve, list, timeline.

Thin edge: decode, call a handler, encode. Every POST takes an `Idempotency-Key`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BeforeValidator

from gateway_api import handlers, idempotent_answers
from gateway_api.api import PreferHeader, PrincipalDep, UnitOfWorkDep, waiters_of, waiting
from gateway_api.domain import Payment, Principal
from gateway_api.idempotency import HEADER, IdempotentRequest, checked_key, fingerprint
from gateway_api.schemas import (
    CancelPaymentRequest,
    CapturePaymentRequest,
    CreatePaymentRequest,
    PaymentList,
    PaymentObject,
    VerifyPaymentRequest,
    error_responses,
)
from gateway_api.store import HandlerUnitOfWork, PaymentFilters
from gateway_api.timeline_schemas import PaymentEventList, PaymentEventObject
from payroute_common.messages.values import PaymentStatus


def _iso_8601_only(value: object) -> object:
    """A bare number is not taken as a Unix time: the parameter is documented as ISO 8601."""
    if isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit():
        raise ValueError("expected an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_8601_only)]

router = APIRouter(prefix="/v1", tags=["payments"])

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        description="Up to 255 characters. The same key and body replay the first answer "
        "(kept 24 h); another body under the same key answers 409 `idempotency_key_reused`.",
    ),
]


async def idempotent_request(
    request: Request, key: str | None, waits: bool
) -> IdempotentRequest | None:
    """The request's Idempotency-Key and fingerprint (method, path, canonical JSON body)."""
    if key is None:
        return None
    raw = await request.body()
    body: Any = json.loads(raw) if raw.strip() else None
    return IdempotentRequest(
        key=checked_key(key),
        fingerprint=fingerprint(request.method, request.url.path, body),
        waiting=waits,
    )


async def _answer_when_settled(
    payment: Payment,
    wait_s: float,
    idempotency: IdempotentRequest | None,
    status_code: int,
    *,
    request: Request,
    principal: Principal,
    uow: HandlerUnitOfWork,
) -> PaymentObject:
    if wait_s and not handlers.settled(payment):
        payment = await handlers.wait_until_settled(
            payment.id, wait_s, principal=principal, uow=uow, waiters=waiters_of(request)
        )
    answer = PaymentObject.of(payment)
    await idempotent_answers.remember_final_answer(
        idempotency, principal.merchant_id, status_code, answer.model_dump(mode="json"), uow=uow
    )
    return answer


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentObject,
    responses=error_responses(400, 401, 409, 413, 500),
    summary="Create a payment",
)
async def create_payment(
    body: CreatePaymentRequest,
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    request: Request,
    response: Response,
    prefer: PreferHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> PaymentObject:
    wait_s = waiting(request, response, prefer)
    idempotency = await idempotent_request(request, idempotency_key, bool(wait_s))
    payment = await handlers.create_payment(
        body, principal=principal, uow=uow, idempotency=idempotency
    )
    return await _answer_when_settled(
        payment, wait_s, idempotency, 201, request=request, principal=principal, uow=uow
    )


@router.post(
    "/payments/{payment_id}/capture",
    response_model=PaymentObject,
    responses=error_responses(400, 401, 404, 409, 413, 500),
    summary="Capture an authorized payment (all or part of it)",
)
async def capture_payment(
    payment_id: str,
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    request: Request,
    response: Response,
    body: CapturePaymentRequest | None = None,
    prefer: PreferHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> PaymentObject:
    wait_s = waiting(request, response, prefer)
    idempotency = await idempotent_request(request, idempotency_key, bool(wait_s))
    payment = await handlers.capture_payment(
        payment_id,
        body or CapturePaymentRequest(),
        principal=principal,
        uow=uow,
        idempotency=idempotency,
    )
    return await _answer_when_settled(
        payment, wait_s, idempotency, 200, request=request, principal=principal, uow=uow
    )


@router.post(
    "/payments/{payment_id}/cancel",
    response_model=PaymentObject,
    responses=error_responses(400, 401, 404, 409, 413, 500),
    summary="Cancel (void) a payment not yet captured",
)
async def cancel_payment(
    payment_id: str,
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    request: Request,
    response: Response,
    body: CancelPaymentRequest | None = None,
    prefer: PreferHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> PaymentObject:
    wait_s = waiting(request, response, prefer)
    idempotency = await idempotent_request(request, idempotency_key, bool(wait_s))
    payment = await handlers.cancel_payment(
        payment_id, principal=principal, uow=uow, idempotency=idempotency
    )
    return await _answer_when_settled(
        payment, wait_s, idempotency, 200, request=request, principal=principal, uow=uow
    )


@router.post(
    "/payments/{payment_id}/verify",
    response_model=PaymentObject,
    responses=error_responses(400, 401, 403, 404, 409, 413, 500),
    summary="Approve or reject a manual payment (operator and admin keys)",
)
async def verify_payment(
    payment_id: str,
    body: VerifyPaymentRequest,
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    request: Request,
    response: Response,
    prefer: PreferHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> PaymentObject:
    wait_s = waiting(request, response, prefer)
    idempotency = await idempotent_request(request, idempotency_key, bool(wait_s))
    payment = await handlers.verify_payment(
        payment_id, body, principal=principal, uow=uow, idempotency=idempotency
    )
    return await _answer_when_settled(
        payment, wait_s, idempotency, 200, request=request, principal=principal, uow=uow
    )


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
    payments, has_more = await handlers.list_payments(
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
    request: Request,
    response: Response,
    prefer: PreferHeader = None,
) -> PaymentObject:
    wait_s = waiting(request, response, prefer)
    if wait_s:
        payment = await handlers.wait_until_settled(
            payment_id, wait_s, principal=principal, uow=uow, waiters=waiters_of(request)
        )
    else:
        payment = await handlers.get_payment(payment_id, principal=principal, uow=uow)
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
    events = await handlers.payment_timeline(payment_id, principal=principal, uow=uow)
    return PaymentEventList(data=[PaymentEventObject.of(e) for e in events], url=request.url.path)
