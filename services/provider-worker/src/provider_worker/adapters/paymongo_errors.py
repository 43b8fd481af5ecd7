"""PayMongo errors normalized into Payroute's taxonomy, the raw code kept.

Two kinds of refusal (https://developers.paymongo.com/docs/payment-intent-workflow,
https://developers.paymongo.com/reference/errors):
- a failed payment: the intent is back at `awaiting_payment_method` with
  `last_payment_error.failed_code` (https://developers.paymongo.com/docs/testing
  lists them). Which of those are soft (worth trying elsewhere) is a table;
  every other failed code is a hard decline.
- an error answer `{"errors": [{"code", "detail", "source"}]}`: its category
  comes from the code when the table below knows it, else from the HTTP status.
"""

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory

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
    "service_unavailable": "provider_unavailable",
    "internal_server_error": "provider_unavailable",
}


def failed_payment(code: str, message: str) -> ProviderError:
    """A `last_payment_error` (or a payment's `failed_code`) as a decline."""
    category: ErrorCategory = "soft_decline" if code in SOFT_FAILED_CODES else "hard_decline"
    return ProviderError(category=category, code=code, message=message, decline_code=code)


def api_error(status: int, code: str | None, detail: str) -> ProviderError:
    """An error answer; without a code PayMongo's HTTP status decides."""
    if code in CODE_CATEGORIES:
        return ProviderError(category=CODE_CATEGORIES[code], code=code, message=detail)
    category: ErrorCategory
    if status in (401, 403):
        category = "authentication"
    elif status == 429 or status >= 500:
        category = "provider_unavailable"
    else:
        category = "invalid_request"
    return ProviderError(category=category, code=code or f"http_{status}", message=detail)


def unreachable(message: str) -> ProviderError:
    """The request never reached PayMongo: nothing happened there."""
    return ProviderError(category="provider_unavailable", code="connection_error", message=message)


def no_answer(*, timed_out: bool, message: str) -> ProviderError:
    """Sent, but no answer came back: PayMongo may have acted; ask it before retrying."""
    code = "timeout" if timed_out else "no_answer"
    return ProviderError(category="timeout", code=code, message=message)
