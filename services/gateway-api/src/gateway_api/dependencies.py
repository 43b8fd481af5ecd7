"""What routes receive: the unit of work, the caller, `Prefer: wait`, the Idempotency-Key.

Every route's shared inputs are declared here once, as FastAPI dependencies, so
the OpenAPI document describes them alike on every route that takes them.
Every dependency is `async def`: FastAPI runs a plain `def` one in a worker
thread, a hand-off that costs more than the dependency's own work.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gateway_api.admin.authentication import authenticate
from gateway_api.domain import Principal
from gateway_api.edge.prefer import requested_wait
from gateway_api.idempotency.rules import HEADER, IdempotentRequest, checked_key, fingerprint
from gateway_api.reads.changes import PaymentWaiters
from gateway_api.unit_of_work import HandlerUnitOfWork, UnitOfWorkFactory

_bearer = HTTPBearer(auto_error=False, description="Your secret API key (`sk_...`).")


async def _unit_of_work(request: Request) -> AsyncIterator[HandlerUnitOfWork]:
    new_unit_of_work: UnitOfWorkFactory = request.app.state.unit_of_work
    async with new_unit_of_work() as uow:
        yield uow


UnitOfWorkDep = Annotated[HandlerUnitOfWork, Depends(_unit_of_work)]
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _principal(uow: UnitOfWorkDep, credentials: CredentialsDep) -> Principal:
    # Same unit of work as the route: the key lookup is the transaction's first statement.
    return await authenticate(credentials.credentials if credentials else None, uow=uow)


PrincipalDep = Annotated[Principal, Depends(_principal)]


async def _wait_seconds(
    response: Response,
    prefer: Annotated[
        str | None,
        Header(
            description="`wait=N` (N ≤ 10): answer once the payment leaves pending/processing "
            "and its capture, cancel or verification is answered (a refund: once it leaves "
            "`pending`), or after N seconds."
        ),
    ] = None,
) -> float:
    """Seconds the caller asked to wait; says so in `Preference-Applied`."""
    wait_s = requested_wait(prefer)
    if wait_s:
        response.headers["Preference-Applied"] = f"wait={wait_s:g}"
    return wait_s


WaitDep = Annotated[float, Depends(_wait_seconds)]


async def _waiters(request: Request) -> PaymentWaiters:
    waiters: PaymentWaiters = request.app.state.payment_waiters
    return waiters


WaitersDep = Annotated[PaymentWaiters, Depends(_waiters)]


async def _idempotent_request(
    request: Request,
    wait_s: WaitDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            description="Up to 255 characters. The same key and body replay the first answer "
            "(kept 24 h); another body under the same key answers 409 `idempotency_key_reused`.",
        ),
    ] = None,
) -> IdempotentRequest | None:
    """The request's Idempotency-Key and fingerprint (method, path, canonical JSON body)."""
    if idempotency_key is None:
        return None
    raw = await request.body()
    body: Any = json.loads(raw) if raw.strip() else None
    return IdempotentRequest(
        key=checked_key(idempotency_key),
        fingerprint=fingerprint(request.method, request.url.path, body),
        waiting=bool(wait_s),
    )


@dataclass(frozen=True)
class Command:
    """Everything a POST that changes money needs besides its own body and path."""

    principal: Principal
    uow: HandlerUnitOfWork
    idempotency: IdempotentRequest | None
    wait_s: float
    waiters: PaymentWaiters


async def _command(
    principal: PrincipalDep,
    uow: UnitOfWorkDep,
    wait_s: WaitDep,
    waiters: WaitersDep,
    idempotency: Annotated[IdempotentRequest | None, Depends(_idempotent_request)],
) -> Command:
    return Command(principal, uow, idempotency, wait_s, waiters)


CommandDep = Annotated[Command, Depends(_command)]
