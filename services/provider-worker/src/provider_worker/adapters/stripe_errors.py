"""Stripe errors normalized into Payroute's taxonomy, the raw code kept.

Which decline codes are soft (worth trying elsewhere) is a table, from
https://docs.stripe.com/declines/codes — everything else a card error
carries is a hard decline.
"""

import aiohttp
import stripe

from payroute_common.messages import ProviderError

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


def normalize(error: stripe.StripeError) -> ProviderError:
    code = error.code or type(error).__name__
    message = error.user_message or str(error._message or "")
    if isinstance(error, stripe.CardError):
        decline_code = error.error.decline_code if error.error else None
        soft = (decline_code or code) in SOFT_DECLINE_CODES
        category = "soft_decline" if soft else "hard_decline"
        return ProviderError(
            category=category, code=code, message=message, decline_code=decline_code
        )
    if isinstance(error, stripe.APIConnectionError):
        # Failing to connect means the request never reached Stripe. Anything else
        # (a read timeout, a connection reset after sending) may have been
        # processed: the outcome is unknown until Stripe is asked.
        cause = error.__cause__
        if isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
            return ProviderError(
                category="provider_unavailable", code="connection_error", message=message
            )
        timed_out = isinstance(cause, TimeoutError | aiohttp.ServerTimeoutError)
        return ProviderError(
            category="timeout", code="timeout" if timed_out else "no_answer", message=message
        )
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return ProviderError(category="authentication", code=code, message=message)
    if isinstance(error, stripe.InvalidRequestError | stripe.IdempotencyError):
        return ProviderError(category="invalid_request", code=code, message=message)
    return ProviderError(category="provider_unavailable", code=code, message=message)
