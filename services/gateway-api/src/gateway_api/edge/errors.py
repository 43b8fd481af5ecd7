"""The one place errors become HTTP answers: `{"error": {type, code, message, param?}}`.

- request validation (pydantic) → 400 `invalid_request_error` with `param` in
  Stripe's bracket form (`payment_method[type]`, `metadata[colour]`);
- domain errors (`GatewayError`) → by kind: 401, 403, 404, 409, 400;
- an Idempotency-Key replay → the stored status and body, `Idempotent-Replayed: true`;
- Starlette HTTP errors (unknown URL, wrong method) → the same shape;
- anything else → 500 `api_error`, logged with its stack, never sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway_api.domain import (
    AuthenticationFailed,
    Conflict,
    GatewayError,
    InvalidRequest,
    PermissionDenied,
    ResourceMissing,
)
from gateway_api.idempotency.rules import Replay

log = structlog.get_logger(__name__)

INVALID_REQUEST = "invalid_request_error"
AUTHENTICATION = "authentication_error"
API_ERROR = "api_error"

# Each domain error kind → (HTTP status, error type). Most specific class first.
DOMAIN_ERRORS: tuple[tuple[type[GatewayError], int, str], ...] = (
    (AuthenticationFailed, 401, AUTHENTICATION),
    (PermissionDenied, 403, INVALID_REQUEST),
    (Conflict, 409, INVALID_REQUEST),
    (ResourceMissing, 404, INVALID_REQUEST),
    (InvalidRequest, 400, INVALID_REQUEST),
    (GatewayError, 400, INVALID_REQUEST),
)
VALIDATION_CODES = {
    "missing": "parameter_missing",
    "extra_forbidden": "parameter_unknown",
    "json_invalid": "json_invalid",
}


def error_response(
    status: int,
    error_type: str,
    code: str,
    message: str,
    *,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {"type": error_type, "code": code, "message": message}
    if param is not None:
        error["param"] = param
    return JSONResponse({"error": error}, status_code=status, headers=dict(headers or {}))


def internal_error() -> JSONResponse:
    return error_response(500, API_ERROR, "internal_error", "An unexpected error occurred.")


def param_path(loc: Sequence[int | str]) -> str | None:
    """("body", "payment_method", "type") → "payment_method[type]"; None for the body itself."""
    parts = [str(p) for p in loc[1:] if p != "[key]"]
    if not parts:
        return None
    return parts[0] + "".join(f"[{p}]" for p in parts[1:])


def _message(error: dict[str, Any], param: str | None, code: str) -> str:
    if code == "json_invalid":
        detail = error.get("ctx", {}).get("error", "")
        return f"The request body is not valid JSON: {detail}".rstrip(": ")
    if param is None:
        return "The request body must be a JSON object (Content-Type: application/json)."
    if code == "parameter_missing":
        return f"Missing required param: {param}."
    if code == "parameter_unknown":
        return f"Received unknown parameter: {param}."
    detail = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"Invalid {param}: {detail[:1].lower()}{detail[1:]}."


def validation_error(exc: RequestValidationError) -> JSONResponse:
    error = dict(exc.errors()[0])
    code = VALIDATION_CODES.get(str(error.get("type")), "parameter_invalid")
    param = None if code == "json_invalid" else param_path(error.get("loc", ()))
    return error_response(400, INVALID_REQUEST, code, _message(error, param, code), param=param)


def domain_error(exc: GatewayError) -> JSONResponse:
    status, error_type = next((s, t) for kind, s, t in DOMAIN_ERRORS if isinstance(exc, kind))
    param = exc.param if isinstance(exc, InvalidRequest) else None
    return error_response(status, error_type, exc.code, exc.message, param=param)


def refusal_answer(exc: GatewayError) -> tuple[int, dict[str, Any]]:
    """The status and body `exc` is answered with (stored under an Idempotency-Key)."""
    response = domain_error(exc)
    body: dict[str, Any] = json.loads(bytes(response.body))
    return response.status_code, body


def http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        code, message = "resource_missing", f"Unrecognized request URL ({request.url.path})."
    elif exc.status_code == 405:
        code, message = "method_not_allowed", f"{request.method} is not allowed on this URL."
    else:
        code, message = "http_error", str(exc.detail)
    error_type = API_ERROR if exc.status_code >= 500 else INVALID_REQUEST
    return error_response(exc.status_code, error_type, code, message, headers=exc.headers)


def install(app: FastAPI) -> None:
    async def on_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_error(exc)

    async def on_domain(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, GatewayError)
        return domain_error(exc)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return http_error(request, exc)

    async def on_replay(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Replay)
        return JSONResponse(
            exc.body, status_code=exc.status_code, headers={"Idempotent-Replayed": "true"}
        )

    app.add_exception_handler(Replay, on_replay)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(GatewayError, on_domain)
    app.add_exception_handler(HTTPException, on_http)


class UnexpectedErrorMiddleware:
    """Turns any unhandled exception into a 500 `api_error` (inside the request-id middleware,
    so the answer still carries `X-Request-ID`); the stack goes to the log only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled_error", method=scope.get("method"), path=scope.get("path"))
            if started:
                raise
            await internal_error()(scope, receive, send)
