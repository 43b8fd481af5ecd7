"""The one error shape every route answers with, and how routes declare it in OpenAPI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    type: Literal["invalid_request_error", "authentication_error", "api_error"]
    code: str
    message: str
    param: str | None = Field(default=None, description="The offending parameter, if any.")


class ErrorResponse(BaseModel):
    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route: its error statuses, all in the one error shape."""
    described: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorResponse, "description": DESCRIPTIONS[status]} for status in statuses
    }
    # Declaring 4XX also keeps FastAPI from advertising a 422 this API never sends.
    described["4XX"] = {"model": ErrorResponse, "description": "Other client errors"}
    return described


DESCRIPTIONS = {
    400: "Invalid request (parameter_invalid, parameter_missing, parameter_unknown, json_invalid)",
    401: "Missing, unknown or revoked API key",
    403: "The key's role may not do this (insufficient_role); nothing was changed",
    404: "No such object for this merchant",
    409: "Conflicts with the object's state or an Idempotency-Key (payment_not_capturable, "
    "amount_exceeds_capturable, payment_not_cancelable, payment_not_refundable, "
    "amount_exceeds_refundable, payment_not_awaiting_verification, "
    "payment_operation_in_progress, idempotency_key_reused, idempotency_request_in_progress)",
    413: "Request body over the size limit",
    500: "Unexpected error (no details leak)",
}
