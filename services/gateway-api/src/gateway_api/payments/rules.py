"""What a provider would refuse, refused at the door (400) instead. Pure: no I/O.

- `return_url` is required for the payment methods whose providers send the
  customer away to approve the payment (`requires_action` with a redirect):
  GCash and Maya (at PayMongo, Xendit and Maya) and PayMongo's hosted checkout.
  Without it the provider refuses the request (`parameter_required`).
- metadata follows Stripe's limits, less what Payroute adds itself: Stripe takes
  50 keys, and Payroute sends `payment_id`, `attempt_id` and `traceparent` (the
  payment's trace, which providers echo in their webhooks) with every
  authorization, so a merchant has 47 keys of at most 40 characters, values of
  at most 500 characters, and may not use Payroute's own keys.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway_api.domain import InvalidRequest
from payroute_common.messages.values import PaymentMethodType

REDIRECT_METHODS: frozenset[PaymentMethodType] = frozenset({"gcash", "maya", "paymongo"})

RESERVED_METADATA_KEYS = frozenset({"payment_id", "attempt_id", "traceparent"})
METADATA_MAX_KEYS = 50 - len(RESERVED_METADATA_KEYS)
METADATA_KEY_MAX_LENGTH = 40
METADATA_VALUE_MAX_LENGTH = 500


def check_new_payment(
    method: PaymentMethodType, return_url: str | None, metadata: Mapping[str, str]
) -> None:
    check_return_url(method, return_url)
    check_metadata(metadata)


def check_return_url(method: PaymentMethodType, return_url: str | None) -> None:
    if method in REDIRECT_METHODS and not return_url:
        raise InvalidRequest(
            f"Missing required param: return_url. {method} payments send the customer to "
            "approve them, and return_url is where they come back.",
            param="return_url",
            code="parameter_missing",
        )


def check_metadata(metadata: Mapping[str, str]) -> None:
    """Refuse metadata a provider would refuse (param `metadata`, one code per rule)."""
    if len(metadata) > METADATA_MAX_KEYS:
        _refuse(
            "metadata_too_many_keys",
            f"metadata has {len(metadata)} keys; at most {METADATA_MAX_KEYS} are allowed.",
        )
    for key, value in metadata.items():
        if key in RESERVED_METADATA_KEYS:
            reserved = ", ".join(sorted(RESERVED_METADATA_KEYS))
            _refuse("metadata_key_reserved", f"metadata keys {reserved} are Payroute's own.")
        if not key:
            _refuse("metadata_key_invalid", "metadata keys must not be empty.")
        if len(key) > METADATA_KEY_MAX_LENGTH:
            _refuse(
                "metadata_key_too_long",
                f"metadata key '{key[:METADATA_KEY_MAX_LENGTH]}…' is {len(key)} characters "
                f"long; at most {METADATA_KEY_MAX_LENGTH} are allowed.",
            )
        if len(value) > METADATA_VALUE_MAX_LENGTH:
            _refuse(
                "metadata_value_too_long",
                f"metadata value of '{key}' is {len(value)} characters long; "
                f"at most {METADATA_VALUE_MAX_LENGTH} are allowed.",
            )


def _refuse(code: str, message: str) -> None:
    raise InvalidRequest(message, param="metadata", code=code)
