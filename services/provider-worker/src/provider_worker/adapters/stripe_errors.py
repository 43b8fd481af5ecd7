"""Stripe errors normalized into Payroute's taxonomy, the raw code kept.

Which decline codes are soft (worth trying elsewhere) is a table, from
https://docs.stripe.com/declines/codes — everything else a card error
carries is a hard decline. Then the HTTP status decides: 401/403 are
`authentication`; 429 (`RateLimitError`, `lock_timeout` included) and every 5xx
(`APIError`) are `timeout`, undetermined: Stripe documents that a 500 may leave
the request processed (https://docs.stripe.com/error-low-level), so the same
request is sent again under its idempotency key, or the status asked. A 2xx the
SDK could not read is `malformed_answer`. Other errors take their category from
the code when the table below knows it (https://docs.stripe.com/error-codes),
else from the kind of error (invalid request).
"""

import aiohttp
import stripe

from payroute_common.messages import ProviderError
from payroute_common.messages.values import ErrorCategory

SOFT_DECLINE_CODES = frozenset(
    {
        "processing_error",
        "try_again_later",
        "issuer_not_available",
        "approve_with_id",
        "reenter_transaction",
        "call_issuer",
    }
)

# Codes capture, cancel and refunds return (and a few every call may), by category.
CODE_CATEGORIES: dict[str, ErrorCategory] = {
    # The payment is not in a state that allows the call: captured or canceled
    # already, refunded in full, disputed, authorization expired.
    "payment_intent_unexpected_state": "invalid_request",
    "charge_already_captured": "invalid_request",
    "charge_already_refunded": "invalid_request",
    "charge_disputed": "invalid_request",
    "charge_expired_for_capture": "invalid_request",
    "charge_not_refundable": "invalid_request",
    "refund_disputed_payment": "invalid_request",
    # More than is capturable or refundable, or a malformed request.
    "amount_too_large": "invalid_request",
    "amount_too_small": "invalid_request",
    "resource_missing": "invalid_request",
    "parameter_missing": "invalid_request",
    "parameter_invalid_integer": "invalid_request",
    "parameter_unknown": "invalid_request",
    "idempotency_key_reused": "invalid_request",
    # The customer failed 3-D Secure.
    "payment_intent_authentication_failure": "hard_decline",
    # Another request with the same idempotency key is still running at Stripe:
    # whether it moved money is not known yet.
    "idempotency_key_in_use": "timeout",
    # Another request holds the object (Stripe answers it 429 as a rate limit; should it
    # come with another status, whether this request ran is still not known).
    "lock_timeout": "timeout",
    # The account's balance cannot cover a refund now: nothing happened, try again later.
    "balance_insufficient": "provider_unavailable",
}


def normalize(error: stripe.StripeError) -> ProviderError:
    code = raw_code(error)
    message = error.user_message or str(error._message or "")
    status = error.http_status
    if isinstance(error, stripe.CardError):
        decline_code = error.error.decline_code if error.error else None
        soft = (decline_code or code) in SOFT_DECLINE_CODES
        category = "soft_decline" if soft else "hard_decline"
        return ProviderError(
            category=category, code=code, message=message, decline_code=decline_code
        )
    if isinstance(error, stripe.APIConnectionError):
        return _connection_error(error, message)
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError) or status in (
        401,
        403,
    ):
        return ProviderError(category="authentication", code=code, message=message)
    if isinstance(error, stripe.RateLimitError) or status == 429:
        return ProviderError(category="timeout", code="rate_limited", message=f"{code}: {message}")
    if status is not None and status >= 500:
        return ProviderError(
            category="timeout", code=f"http_{status}", message=f"{code}: {message}"
        )
    if status is None or status < 400:
        # A 2xx (or no answer at all) the SDK could not read as a Stripe object.
        return ProviderError(
            category="timeout",
            code="malformed_answer",
            message=f"Stripe answered HTTP {status} with a body that is not a Stripe object",
        )
    if code in CODE_CATEGORIES:
        return ProviderError(category=CODE_CATEGORIES[code], code=code, message=message)
    return ProviderError(category="invalid_request", code=code, message=message)


def raw_code(error: stripe.StripeError) -> str:
    """Stripe's own code for the error: its `code`, else its `type`, else the SDK's class."""
    details = error.error
    return (
        error.code
        or (details.code if details else None)
        or (details.type if details else None)
        or type(error).__name__
    )


def _undetermined(code: str, raw_code: str, message: str) -> ProviderError:
    return ProviderError(category="timeout", code=code, message=f"{raw_code}: {message}")


def _connection_error(error: stripe.APIConnectionError, message: str) -> ProviderError:
    """Failing to connect means the request never reached Stripe. Anything else (a read
    timeout, a connection reset after sending) may have been processed: the outcome is
    unknown until Stripe is asked."""
    cause = error.__cause__
    if isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
        return ProviderError(
            category="provider_unavailable", code="connection_error", message=message
        )
    timed_out = isinstance(cause, TimeoutError | aiohttp.ServerTimeoutError)
    return ProviderError(
        category="timeout", code="timeout" if timed_out else "no_answer", message=message
    )
