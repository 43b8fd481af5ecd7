"""PayMongo errors normalized into Payroute's taxonomy, the raw code kept.

Two kinds of refusal (https://developers.paymongo.com/docs/payment-intent-workflow,
https://developers.paymongo.com/reference/errors):
- a failed payment: the intent is back at `awaiting_payment_method` with
  `last_payment_error.failed_code` (https://developers.paymongo.com/docs/testing
  lists them). Which of those are soft (worth trying elsewhere) is a table;
  every other failed code is a hard decline.
- an error answer `{"errors": [{"code", "detail", "source"}]}`: 401/403, 429 and
  5xx take their category from the status (transport.py: a 5xx or 429 is
  undetermined); other statuses from the table below for the code, else
  `invalid_request`.
"""

import httpx

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory
from provider_worker.adapters.transport import json_object, refusal_error

# The processor, not the customer's account, refused: another provider may succeed.
SOFT_FAILED_CODES = frozenset({"processor_unavailable", "processor_timeout", "server_timeout"})

CODE_CATEGORIES: dict[str, ErrorCategory] = {
    "api_key_invalid": "authentication",
    "secret_key_required": "authentication",
    "resource_failed_state": "invalid_request",
    "resource_not_found": "invalid_request",
    "parameter_required": "invalid_request",
    "parameter_invalid": "invalid_request",
    "parameter_not_allowed": "invalid_request",
    "parameter_below_minimum": "invalid_request",
    "parameter_above_maximum": "invalid_request",
    "idempotency_key_reused": "invalid_request",
    # The first request with this key, or the payment itself, is still being processed:
    # whether money moved is not known yet.
    "idempotency_request_in_progress": "timeout",
    "resource_processing_state": "timeout",
}


def failed_payment(code: str, message: str) -> ProviderError:
    """A `last_payment_error` (or a payment's `failed_code`) as a decline."""
    category: ErrorCategory = "soft_decline" if code in SOFT_FAILED_CODES else "hard_decline"
    return ProviderError(category=category, code=code, message=message, decline_code=code)


def error_answer(response: httpx.Response) -> ProviderError:
    """PayMongo's error answer: its first `errors` entry."""
    found = json_object(response).get("errors")
    first = found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else {}
    detail = first.get("detail") or response.text or response.reason_phrase
    return api_error(response.status_code, first.get("code"), str(detail))


def api_error(status: int, code: str | None, detail: str) -> ProviderError:
    """An error answer, normalized by its status and code (transport.refusal_error)."""
    return refusal_error(status, code, detail, CODE_CATEGORIES)
