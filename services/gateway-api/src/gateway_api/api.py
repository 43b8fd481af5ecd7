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
from gateway_api.nul_guard import NulGuardMiddleware
from gateway_api.payment_changes import PaymentWaiters
from gateway_api.prefer import requested_wait
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
        description="`wait=N` (N ≤ 10): answer once the payment leaves pending/processing "
        "and its capture, cancel or verification is answered (a refund: once it leaves "
        "`pending`), or after N seconds."
    ),
]


def waiting(request: Request, response: Response, prefer: str | None) -> float:
    """Seconds the caller asked to wait; says so in `Preference-Applied`."""
    wait_s = requested_wait(prefer)
    if wait_s:
        response.headers["Preference-Applied"] = f"wait={wait_s:g}"
    return wait_s


def waiters_of(request: Request) -> PaymentWaiters:
    waiters: PaymentWaiters = request.app.state.payment_waiters
    return waiters


def middleware(max_body_bytes: int) -> list[Middleware]:
    """Runs inside the runtime's request-id middleware, so every answer carries the id."""
    return [
        Middleware(errors.UnexpectedErrorMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=max_body_bytes),
        Middleware(NulGuardMiddleware),
    ]


def install(app: FastAPI, new_unit_of_work: UnitOfWorkFactory, waiters: PaymentWaiters) -> None:
    app.state.unit_of_work = new_unit_of_work
    app.state.payment_waiters = waiters
    errors.install(app)
    app.include_router(router)
    from gateway_api import payments_api, refunds_api  # noqa: PLC0415 - they build on this module

    app.include_router(payments_api.router)
    app.include_router(refunds_api.router)
    from gateway_api import pricing_api, settings_api  # noqa: PLC0415 - they build on this module

    app.include_router(settings_api.router)
    app.include_router(pricing_api.router)
    from gateway_api import provider_health_api  # noqa: PLC0415 - builds on this module

    app.include_router(provider_health_api.router)
