"""The error object every reconciliation route answers with, Stripe-style:
`{"error": {"type", "code", "message"}}`."""

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel


class ErrorDetail(BaseModel):
    type: str
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorDetail


UNAUTHENTICATED: dict[str, Any] = {
    "model": ErrorOut,
    "description": "Missing, unknown or revoked API key",
}
NOT_ADMIN: dict[str, Any] = {"model": ErrorOut, "description": "The key is not an admin key"}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    error = {"type": "invalid_request_error", "code": code, "message": message}
    return JSONResponse({"error": error}, status_code=status)


def described(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}
