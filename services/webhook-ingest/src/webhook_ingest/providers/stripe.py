"""Stripe webhooks: `Stripe-Signature` verified by the official SDK, events normalized
into `ProviderWebhookReceived` (pure: no I/O).

Which payment an event is about: `data.object.metadata.payment_id`, which the
orchestrator sets on every provider call (and which wins over merchant
metadata); without it, the orchestrator routes by provider reference
(`data.object.id`). Amount: `amount_received` when positive, else `amount`
(a failed or canceled intent received nothing, so its requested amount is the
informative one). A currency Payroute does not support drops amount and
currency, not the event: Stripe would retry a refused event for days.
"""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import stripe
from pydantic import ValidationError

from payroute_common.messages import ProviderWebhookReceived
from payroute_common.messages.provider_webhooks import WebhookOutcome, WebhookSubject
from payroute_common.money import UnknownCurrencyError, currency_exponent
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError

PROVIDER = "stripe"
TOLERANCE_S = 300

EVENT_TYPES: dict[str, tuple[WebhookSubject, WebhookOutcome]] = {
    "payment_intent.succeeded": ("payment", "succeeded"),
    "payment_intent.amount_capturable_updated": ("payment", "authorized"),
    "payment_intent.payment_failed": ("payment", "failed"),
    "payment_intent.canceled": ("payment", "canceled"),
    "charge.refunded": ("refund", "refunded"),
    "charge.dispute.created": ("dispute", "opened"),
    "charge.dispute.closed": ("dispute", "closed"),
}
# Events outside the table still travel, with outcome "other" and the subject their
# object's type suggests, so that downstream can see them without acting on them.
OBJECT_SUBJECTS: dict[str, WebhookSubject] = {
    "payment_intent": "payment",
    "charge": "payment",
    "refund": "refund",
    "dispute": "dispute",
    "payout": "payout",
}


def classify(event_type: str, object_type: object = None) -> tuple[WebhookSubject, WebhookOutcome]:
    known = EVENT_TYPES.get(event_type)
    if known is not None:
        return known
    subject = OBJECT_SUBJECTS.get(object_type) if isinstance(object_type, str) else None
    return (subject or "payment", "other")


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidPayloadError(f"{what} is missing or not a string")
    return value


def _amount(obj: Mapping[str, Any]) -> int | None:
    received = obj.get("amount_received")
    if isinstance(received, int) and not isinstance(received, bool) and received > 0:
        return received
    amount = obj.get("amount")
    return amount if isinstance(amount, int) and not isinstance(amount, bool) else None


def _money(obj: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """Amount and upper-cased currency; neither when the currency is not one Payroute knows."""
    currency = obj.get("currency")
    if not isinstance(currency, str):
        return None, None
    try:
        currency_exponent(currency)
    except UnknownCurrencyError:
        return None, None
    return _amount(obj), currency.upper()


def _payment_id(obj: Mapping[str, Any]) -> str | None:
    metadata = obj.get("metadata")
    if not isinstance(metadata, Mapping):
        return None
    payment_id = metadata.get("payment_id")
    return payment_id if isinstance(payment_id, str) and payment_id else None


def normalize(event: Any, received_at: datetime) -> ProviderWebhookReceived:
    """The Payroute view of one Stripe `event` object (already JSON-decoded)."""
    if not isinstance(event, Mapping):
        raise InvalidPayloadError("the body is not a JSON object")
    event_type = _text(event.get("type"), "type")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    if not isinstance(obj, Mapping):
        raise InvalidPayloadError("data.object is missing")
    subject, outcome = classify(event_type, obj.get("object"))
    amount, currency = _money(obj)
    try:
        return ProviderWebhookReceived(
            provider=PROVIDER,
            provider_event_id=_text(event.get("id"), "id"),
            provider_event_type=event_type,
            subject=subject,
            outcome=outcome,
            provider_reference=_text(obj.get("id"), "data.object.id"),
            payment_id=_payment_id(obj),
            amount=amount,
            currency=currency,
            received_at=received_at,
        )
    except ValidationError as error:
        raise InvalidPayloadError(f"unreadable event: {error.errors()[0]['msg']}") from error


class StripeProvider:
    """`Stripe-Signature`: HMAC-SHA256 over `t.body`, checked by the official SDK."""

    name = PROVIDER

    def __init__(self, secret: str, *, tolerance_s: int = TOLERANCE_S) -> None:
        self._secret = secret
        self._tolerance_s = tolerance_s

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        try:
            stripe.WebhookSignature.verify_header(
                body, headers.get("stripe-signature"), self._secret, tolerance=self._tolerance_s
            )
        except stripe.SignatureVerificationError as error:
            raise InvalidSignatureError(str(error)) from None
        except UnicodeDecodeError:
            raise InvalidSignatureError("the body is not UTF-8") from None

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        try:
            event = json.loads(body)
        except ValueError as error:
            raise InvalidPayloadError(f"the body is not JSON: {error}") from None
        return normalize(event, received_at)
