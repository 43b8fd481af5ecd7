"""Reading the fields every provider's webhook body has in some shape: the decoded
JSON, required text, Payroute's payment id and the payment's trace in the metadata,
and amounts sent in a currency's major unit (Xendit, Maya). Pure."""

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from payroute_common.messages import ProviderWebhookReceived
from payroute_common.money import UnknownCurrencyError, currency_exponent
from webhook_ingest.errors import InvalidPayloadError


def decoded(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as error:
        raise InvalidPayloadError(f"the body is not JSON: {error}") from None


def text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidPayloadError(f"{what} is missing or not a string")
    return value


# A normalized webhook and the payment's trace its body echoed (None without one).
Traced = tuple[ProviderWebhookReceived, str | None]
# A W3C traceparent is 55 characters; anything much longer is not one.
TRACEPARENT_MAX = 128


def metadata_text(resource: Any, key: str) -> str | None:
    """`metadata[key]` of a provider object, when it is non-empty text."""
    metadata = resource.get("metadata") if isinstance(resource, Mapping) else None
    value = metadata.get(key) if isinstance(metadata, Mapping) else None
    return value if isinstance(value, str) and value else None


def payment_id(resource: Mapping[str, Any]) -> str | None:
    """`metadata.payment_id`, which the adapters send on every object they create."""
    return metadata_text(resource, "payment_id")


def traceparent(resource: Any) -> str | None:
    """`metadata.traceparent`: the payment's trace, which the adapters send with each
    authorization and providers echo; its form is checked where it is used."""
    value = metadata_text(resource, "traceparent")
    return value if value is not None and len(value) <= TRACEPARENT_MAX else None


def major_unit_money(resource: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """`amount` in the major unit (PHP 25.50) as minor units, and `currency`; neither
    when either is unreadable or the amount is finer than the currency's minor unit."""
    currency, amount = resource.get("currency"), resource.get("amount")
    if not isinstance(currency, str) or isinstance(amount, bool):
        return None, None
    try:
        scaled = Decimal(str(amount)).scaleb(currency_exponent(currency))
    except (UnknownCurrencyError, InvalidOperation):
        return None, None
    if not scaled.is_finite() or scaled < 0 or scaled != scaled.to_integral_value():
        return None, None
    return int(scaled), currency.upper()
