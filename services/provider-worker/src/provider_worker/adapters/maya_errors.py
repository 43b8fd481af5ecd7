"""Maya errors normalized into Payroute's taxonomy, the raw code kept.

Maya answers errors as `{"code": "PY0009", "message": "Payment does not exist."}`
(code 2553 adds `parameters`): https://developers.maya.ph/docs/errors and
https://developers.maya.ph/reference/payment-processing-platform-errors. Known
codes take their category from a table, others from the HTTP status. A payment
that failed at Maya carries no decline code in its object, only its `status`;
which of those are soft (worth trying elsewhere) is a table too.
"""

from typing import Any

import httpx

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory

API_ERROR_CATEGORIES: dict[str, ErrorCategory] = {
    "2553": "invalid_request",  # missing or invalid parameters
    "PY0009": "invalid_request",  # payment does not exist
    "2545": "invalid_request",  # transaction does not exist
    "2546": "invalid_request",  # excessive refund
    "2547": "invalid_request",  # already voided
    "2548": "invalid_request",  # already refunded
    "1997": "authentication",  # API key is incorrect
    "K003": "authentication",  # invalid authentication credentials
    "1996": "provider_unavailable",  # general error
    "PY0001": "provider_unavailable",  # generic system error, may be retried
}
ALREADY_VOIDED = "2547"
PAYMENT_NOT_FOUND = frozenset({"PY0009", "2545"})

# Payment statuses that end a payment without money taken; expiry and an
# unanswered authentication may succeed elsewhere, a refusal will not.
SOFT_FAILED_STATUSES = frozenset({"PAYMENT_EXPIRED"})


def payment_failure(status: str) -> ProviderError:
    category: ErrorCategory = "soft_decline" if status in SOFT_FAILED_STATUSES else "hard_decline"
    return ProviderError(category=category, code=status, message=f"Maya payment ended {status}")


def api_error(response: httpx.Response) -> ProviderError:
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = None
    code = body.get("code") if isinstance(body, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    code = str(code) if code else f"http_{response.status_code}"
    category = API_ERROR_CATEGORIES.get(code) or _status_category(response.status_code)
    return ProviderError(
        category=category, code=code, message=str(message or response.reason_phrase)
    )


def transport_error(error: httpx.TransportError) -> ProviderError:
    """Not connecting means Maya never saw the request; anything later (a read
    timeout, a reset after sending) leaves the outcome unknown until asked."""
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return ProviderError(
            category="provider_unavailable", code="connection_error", message=str(error)
        )
    code = "timeout" if isinstance(error, httpx.TimeoutException) else "no_answer"
    return ProviderError(category="timeout", code=code, message=str(error) or code)


def _status_category(status: int) -> ErrorCategory:
    if status in (401, 403):
        return "authentication"
    if status == 429 or status >= 500:
        return "provider_unavailable"
    return "invalid_request"
