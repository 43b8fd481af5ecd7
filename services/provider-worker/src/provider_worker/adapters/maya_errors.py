"""Maya errors normalized into Payroute's taxonomy, the raw code kept.

Maya answers errors as `{"code": "PY0009", "message": "Payment does not exist."}`
(code 2553 adds `parameters`): https://developers.maya.ph/docs/errors and
https://developers.maya.ph/reference/payment-processing-platform-errors. Known
codes take their category from a table, others from the HTTP status; 401/403,
429 and 5xx are decided by the status whatever the code (transport.py: 429 and
5xx are undetermined). A payment that failed at Maya carries no decline code in its
object, only its `status`; which of those are soft (worth trying elsewhere) is
a table too.
"""

import httpx

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory
from provider_worker.adapters.transport import coded_error

API_ERROR_CATEGORIES: dict[str, ErrorCategory] = {
    "2553": "invalid_request",  # missing or invalid parameters
    "PY0009": "invalid_request",  # payment does not exist
    "2545": "invalid_request",  # transaction does not exist
    "2546": "invalid_request",  # excessive refund
    "2547": "invalid_request",  # already voided
    "2548": "invalid_request",  # already refunded
    "1997": "authentication",  # API key is incorrect
    "K003": "authentication",  # invalid authentication credentials
    # Maya's own failures: the request may have been acted on before them.
    "1996": "timeout",  # general error
    "PY0001": "timeout",  # generic system error, may be retried
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
    return coded_error(response, code_key="code", categories=API_ERROR_CATEGORIES)
