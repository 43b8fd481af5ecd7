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
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from payroute_common.messages import ProviderWebhookReceived
from payroute_common.messages.provider_webhooks import WebhookOutcome, WebhookSubject
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError
from webhook_ingest.providers.fields import (
    Traced,
    decoded,
    major_unit_money,
    payment_id,
    text,
    traceparent,
)

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
    event = text(callback.get("event"), "event")
    data = callback.get("data")
    if not isinstance(data, Mapping):
        raise InvalidPayloadError("data is missing")
    subject, outcome = classify(event)
    object_id = text(data.get("id"), "data.id")
    reference = data.get("payment_request_id") if subject == "payment" else None
    amount, currency = major_unit_money(data)
    try:
        return ProviderWebhookReceived(
            provider=PROVIDER,
            provider_event_id=f"{event}:{object_id}",
            provider_event_type=event,
            subject=subject,
            outcome=outcome,
            provider_reference=reference if isinstance(reference, str) and reference else object_id,
            payment_id=payment_id(data),
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
        return normalize(decoded(body), received_at)

    def parse_traced(self, body: bytes, received_at: datetime) -> Traced:
        callback = decoded(body)
        return normalize(callback, received_at), traceparent(callback.get("data"))
