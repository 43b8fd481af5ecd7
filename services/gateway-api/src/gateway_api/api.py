"""The `/v1` HTTP edge: decode, call a handler, encode. No rules, queries or commits here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.middleware import Middleware

from gateway_api import errors, handlers
from gateway_api.body_limit import BodyLimitMiddleware
from gateway_api.domain import Principal
from gateway_api.payment_changes import SETTLING, PaymentWaiters
from gateway_api.prefer import requested_wait
from gateway_api.schemas import CreatePaymentRequest, PaymentObject, error_responses
from gateway_api.store import HandlerUnitOfWork

UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[HandlerUnitOfWork]]

router = APIRouter(prefix="/v1", tags=["payments"])
_bearer = HTTPBearer(auto_error=False, description="Your secret API key (`sk_...`).")


async def _unit_of_work(request: Request) -> AsyncIterator[HandlerUnitOfWork]:
    new_unit_of_work: UnitOfWorkFactory = request.app.state.unit_of_work
    async with new_unit_of_work() as uow:
        yield uow


UnitOfWorkDep = Annotated[HandlerUnitOfWork, Depends(_unit_of_work)]
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _principal(uow: UnitOfWorkDep, credentials: CredentialsDep) -> Principal:
    # Same unit of work as the route: the key lookup is the transaction's first statement.
    return await handlers.authenticate(credentials.credentials if credentials else None, uow=uow)


PrincipalDep = Annotated[Principal, Depends(_principal)]
PreferHeader = Annotated[
    str | None,
    Header(
        description="`wait=N` (N ≤ 10): answer once the payment leaves pending/processing, "
        "or after N seconds."
    ),
]


def _waiting(request: Request, response: Response, prefer: str | None) -> float:
    """Seconds the caller asked to wait; says so in `Preference-Applied`."""
    wait_s = requested_wait(prefer)
    if wait_s:
        response.headers["Preference-Applied"] = f"wait={wait_s:g}"
    return wait_s


def _waiters(request: Request) -> PaymentWaiters:
    waiters: PaymentWaiters = request.app.state.payment_waiters
    return waiters


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentObject,
    responses=error_responses(400, 401, 413, 500),
    summary="Create a payment",
)
async def create_payment(
    body: CreatePaymentRequest,
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    request: Request,
    response: Response,
    prefer: PreferHeader = None,
) -> PaymentObject:
    payment = await handlers.create_payment(body, principal=principal, uow=uow)
    wait_s = _waiting(request, response, prefer)
    if wait_s and payment.status in SETTLING:
        payment = await handlers.wait_until_settled(
            payment.id, wait_s, principal=principal, uow=uow, waiters=_waiters(request)
        )
    return PaymentObject.of(payment)


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
    wait_s = _waiting(request, response, prefer)
    if wait_s:
        payment = await handlers.wait_until_settled(
            payment_id, wait_s, principal=principal, uow=uow, waiters=_waiters(request)
        )
    else:
        payment = await handlers.get_payment(payment_id, principal=principal, uow=uow)
    return PaymentObject.of(payment)


def middleware(max_body_bytes: int) -> list[Middleware]:
    """Runs inside the runtime's request-id middleware, so every answer carries the id."""
    return [
        Middleware(errors.UnexpectedErrorMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=max_body_bytes),
    ]


def install(app: FastAPI, new_unit_of_work: UnitOfWorkFactory, waiters: PaymentWaiters) -> None:
    app.state.unit_of_work = new_unit_of_work
    app.state.payment_waiters = waiters
    errors.install(app)
    app.include_router(router)
