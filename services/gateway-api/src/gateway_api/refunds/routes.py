"""`/v1/refunds`: create, retrieve, list a payment's refunds. Thin edge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from gateway_api.dependencies import CommandDep, PrincipalDep, UnitOfWorkDep
from gateway_api.edge.error_schemas import error_responses
from gateway_api.idempotency import answers
from gateway_api.reads import queries, waiting
from gateway_api.refunds import commands
from gateway_api.refunds.schemas import CreateRefundRequest, RefundList, RefundObject
from payroute_common.ids import new_id

router = APIRouter(prefix="/v1", tags=["refunds"])


@router.post(
    "/refunds",
    status_code=201,
    response_model=RefundObject,
    responses=error_responses(400, 401, 404, 409, 413, 500),
    summary="Refund all or part of a captured payment",
)
async def create_refund(body: CreateRefundRequest, call: CommandDep) -> RefundObject:
    refund_id = new_id("re")
    # Watched from before the command commits: the refund it wrote is where waiting starts.
    async with call.waiters.woken_on_change(refund_id) as changed:
        refund = await commands.create_refund(
            body,
            refund_id=refund_id,
            principal=call.principal,
            uow=call.uow,
            idempotency=call.idempotency,
        )
        if call.wait_s:
            refund = await waiting.follow_refund(
                refund, changed, call.wait_s, principal=call.principal, uow=call.uow
            )
    answer = RefundObject.of(refund)
    await answers.remember_final_answer(
        call.idempotency,
        call.principal.merchant_id,
        201,
        answer.model_dump(mode="json"),
        uow=call.uow,
    )
    return answer


@router.get(
    "/refunds/{refund_id}",
    response_model=RefundObject,
    responses=error_responses(401, 404, 500),
    summary="Retrieve a refund",
)
async def get_refund(refund_id: str, principal: PrincipalDep, uow: UnitOfWorkDep) -> RefundObject:
    return RefundObject.of(await queries.get_refund(refund_id, principal=principal, uow=uow))


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
    refunds = await queries.list_refunds(payment_id, principal=principal, uow=uow)
    return RefundList(
        data=[RefundObject.of(r) for r in refunds], has_more=False, url=request.url.path
    )
