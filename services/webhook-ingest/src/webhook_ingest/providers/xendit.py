"""Xendit callbacks: `x-callback-token` compared in constant time with the account's
callback token (Xendit's scheme has no timestamp and no signature), bodies normalized
into `ProviderWebhookReceived` (pure: no I/O).

Body (https://docs.xendit.co/apidocs/payment-webhook-notification and
https://docs.xendit.co/apidocs/refund-webhook-notification):
`{"event": "payment.succeeded", "business_id", "created", "data": {...}}`. A payment's
`data.payment_request_id` is the adapter's reference for the attempt; a refund is
routed by its own `data.id`; `data.metadata.payment_id` names Payroute's payment.
Amounts come in the currency's major unit and are turned into minor units.

The body has no event id (Xendit puts one in a `webhook-id` header, which `parse`
does not see); `<event>:<data.id>` stands for it: Xendit sends each event about one
object once, retrying the same body, so duplicates share it.
"""

import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from payroute_common.messages import ProviderWebhookReceived
from payroute_common.messages.provider_webhooks import WebhookOutcome, WebhookSubject
from payroute_common.money import UnknownCurrencyError, currency_exponent
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError

PROVIDER = "xendit"
HEADER = "x-callback-token"

EVENT_TYPES: dict[str, tuple[WebhookSubject, WebhookOutcome]] = {
    "payment.succeeded": ("payment", "succeeded"),
    "payment.capture": ("payment", "succeeded"),
    "payment.awaiting_capture": ("payment", "authorized"),
    "payment.failed": ("payment", "failed"),
    "refund.succeeded": ("refund", "refunded"),
    "refund.failed": ("refund", "failed"),
}


def classify(event: str) -> tuple[WebhookSubject, WebhookOutcome]:
    known = EVENT_TYPES.get(event)
    if known is not None:
        return known
    return ("refund" if event.startswith("refund.") else "payment", "other")


def normalize(callback: Any, received_at: datetime) -> ProviderWebhookReceived:
    """The Payroute view of one Xendit callback body (already JSON-decoded)."""
    if not isinstance(callback, Mapping):
        raise InvalidPayloadError("the body is not a JSON object")
    event = _text(callback.get("event"), "event")
    data = callback.get("data")
    if not isinstance(data, Mapping):
        raise InvalidPayloadError("data is missing")
    subject, outcome = classify(event)
    object_id = _text(data.get("id"), "data.id")
    reference = data.get("payment_request_id") if subject == "payment" else None
    amount, currency = _money(data)
    try:
        return ProviderWebhookReceived(
            provider=PROVIDER,
            provider_event_id=f"{event}:{object_id}",
            provider_event_type=event,
            subject=subject,
            outcome=outcome,
            provider_reference=reference if isinstance(reference, str) and reference else object_id,
            payment_id=_payment_id(data),
            amount=amount,
            currency=currency,
            received_at=received_at,
        )
    except ValidationError as error:
        raise InvalidPayloadError(f"unreadable callback: {error.errors()[0]['msg']}") from error


class XenditProvider:
    """`x-callback-token` must equal the account's callback token."""

    name = PROVIDER

    def __init__(self, callback_token: str) -> None:
        self._token = callback_token.encode()

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        presented = headers.get(HEADER)
        if not presented:
            raise InvalidSignatureError(f"no {HEADER} header")
        if not hmac.compare_digest(presented.encode(), self._token):
            raise InvalidSignatureError(f"{HEADER} does not match")

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        try:
            callback = json.loads(body)
        except ValueError as error:
            raise InvalidPayloadError(f"the body is not JSON: {error}") from None
        return normalize(callback, received_at)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidPayloadError(f"{what} is missing or not a string")
    return value


def _money(data: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """Minor units and currency; neither when the currency or amount is unreadable."""
    currency, amount = data.get("currency"), data.get("amount")
    if not isinstance(currency, str) or isinstance(amount, bool):
        return None, None
    try:
        scaled = Decimal(str(amount)).scaleb(currency_exponent(currency))
    except (UnknownCurrencyError, InvalidOperation):
        return None, None
    if scaled < 0 or scaled != scaled.to_integral_value():
        return None, None
    return int(scaled), currency.upper()


def _payment_id(data: Mapping[str, Any]) -> str | None:
    metadata = data.get("metadata")
    if not isinstance(metadata, Mapping):
        return None
    payment_id = metadata.get("payment_id")
    return payment_id if isinstance(payment_id, str) and payment_id else None
