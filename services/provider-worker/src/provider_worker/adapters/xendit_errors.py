"""Xendit errors normalized into Payroute's taxonomy, the raw code kept.

Two kinds of failure reach the adapter: an API error (an HTTP status with
`{"error_code": ..., "message": ...}`, https://developers.xendit.co/api-reference/#errors)
and a payment that Xendit accepted but that FAILED, with its `failure_code`
(https://docs.xendit.co/apidocs/payment-webhook-notification). Which failure
codes are soft (worth trying elsewhere) is a table; every other failure code is
a hard decline. API errors with 401/403, 429 or 5xx take their category from the
status (transport.py: 429 and 5xx are undetermined); others from the table below
for their code, else `invalid_request`.
"""

import httpx

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory
from provider_worker.adapters.transport import coded_error

# The issuer or the channel could not decide now: another provider may succeed.
SOFT_FAILURE_CODES = frozenset(
    {
        "CHANNEL_UNAVAILABLE",
        "ISSUER_UNAVAILABLE",
        "PROCESSOR_ERROR",
        "PROCESSOR_TEMPORARILY_UNAVAILABLE",
        "PROCESSOR_TIMEOUT",
    }
)

API_ERROR_CATEGORIES: dict[str, ErrorCategory] = {
    "API_VALIDATION_ERROR": "invalid_request",
    "INVALID_PAYMENT_METHOD": "invalid_request",
    "DATA_NOT_FOUND": "invalid_request",
    "INELIGIBLE_TRANSACTION": "invalid_request",
    "MAXIMUM_REFUND_AMOUNT_REACHED": "invalid_request",
    "REFUND_IN_PROGRESS": "invalid_request",
    "INVALID_API_KEY": "authentication",
    "REQUEST_FORBIDDEN_ERROR": "authentication",
    # The reference id or idempotency key was sent before: that earlier request's
    # outcome is not known from here, so ask for the status before trying again.
    "DUPLICATE_ERROR": "timeout",
    "CHANNEL_UNAVAILABLE": "provider_unavailable",
    # The merchant's Xendit balance cannot cover a refund now.
    "INSUFFICIENT_BALANCE": "provider_unavailable",
}


def payment_failure(failure_code: str | None, message: str = "") -> ProviderError:
    code = failure_code or "FAILED"
    category: ErrorCategory = "soft_decline" if code in SOFT_FAILURE_CODES else "hard_decline"
    return ProviderError(
        category=category, code=code, message=message or f"Xendit failed the payment: {code}"
    )


def api_error(response: httpx.Response) -> ProviderError:
    return coded_error(response, code_key="error_code", categories=API_ERROR_CATEGORIES)
