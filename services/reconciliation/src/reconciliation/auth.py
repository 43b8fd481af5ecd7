"""The admin-key check every `/v1` route of reconciliation depends on (rules: access.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from reconciliation.access import AccessDenied, KeyHolder, lookup_hash, require_admin
from reconciliation.store import HandlerUnitOfWork

_bearer = HTTPBearer(auto_error=False, description="A platform admin's secret API key.")
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
UnitOfWorkFactory = Callable[[], HandlerUnitOfWork]
AdminDependency = Callable[[HTTPAuthorizationCredentials | None], Awaitable[KeyHolder]]


def admin_key(unit_of_work: UnitOfWorkFactory) -> AdminDependency:
    """A dependency that answers with the calling admin key, or raises AccessDenied."""

    async def calling_admin(credentials: CredentialsDep) -> KeyHolder:
        secret = credentials.credentials if credentials else None
        key_hash = lookup_hash(secret)
        holder = None
        if key_hash is not None:
            async with unit_of_work() as uow:
                holder = await uow.api_keys.holder(key_hash)
        return require_admin(secret, holder)

    return calling_admin


def access_denied(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AccessDenied)
    error = {"type": exc.error_type, "code": exc.code, "message": exc.message}
    return JSONResponse({"error": error}, status_code=exc.status)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AccessDenied, access_denied)
