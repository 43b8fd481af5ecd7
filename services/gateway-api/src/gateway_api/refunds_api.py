"""`/v1/refunds`: create, retrieve, list a payment's refunds. Thin edge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from gateway_api import handlers, idempotent_answers
from gateway_api.api import PreferHeader, PrincipalDep, UnitOfWorkDep, waiters_of, waiting
from gateway_api.payments_api import IdempotencyKeyHeader, idempotent_request
from gateway_api.schemas import CreateRefundRequest, RefundList, RefundObject, error_responses

router = APIRouter(prefix="/v1", tags=["refunds"])


@router.post(
    "/refunds",
    status_code=201,
    response_model=RefundObject,
    responses=error_responses(400, 401, 404, 409, 413, 500),
    summary="Refund all or part of a captured payment",
)
async def create_refund(
    body: CreateRefundRequest,
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    request: Request,
    response: Response,
    prefer: PreferHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> RefundObject:
    wait_s = waiting(request, response, prefer)
    idempotency = await idempotent_request(request, idempotency_key, bool(wait_s))
    refund = await handlers.create_refund(
        body, principal=principal, uow=uow, idempotency=idempotency
    )
    if wait_s:
        refund = await handlers.wait_until_refund_settled(
            refund.id, wait_s, principal=principal, uow=uow, waiters=waiters_of(request)
        )
    answer = RefundObject.of(refund)
    await idempotent_answers.remember_final_answer(
        idempotency, principal.merchant_id, 201, answer.model_dump(mode="json"), uow=uow
    )
    return answer


@router.get(
    "/refunds/{refund_id}",
    response_model=RefundObject,
    responses=error_responses(401, 404, 500),
    summary="Retrieve a refund",
)
async def get_refund(refund_id: str, principal: PrincipalDep, uow: UnitOfWorkDep) -> RefundObject:
    return RefundObject.of(await handlers.get_refund(refund_id, principal=principal, uow=uow))


@router.get(
    "/refunds",
    response_model=RefundList,
    responses=error_responses(400, 401, 404, 500),
    summary="List a payment's refunds, newest first",
)
async def list_refunds(
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    request: Request,
    payment_id: Annotated[str, Query(description="The payment whose refunds to list.")],
) -> RefundList:
    refunds = await handlers.list_refunds(payment_id, principal=principal, uow=uow)
    return RefundList(
        data=[RefundObject.of(r) for r in refunds], has_more=False, url=request.url.path
    )
