"""PayMongo webhooks: `Paymongo-Signature` verified, events normalized into
`ProviderWebhookReceived` (pure: no I/O).

Scheme (https://developers.paymongo.com/docs/creating-webhook, "Securing a webhook"):
`Paymongo-Signature: t=<unix ts>,te=<hex>,li=<hex>`, each an HMAC-SHA256 with the
webhook secret over `"{t}.{raw body}"`; `te` is the one to check for a test-mode
event, `li` for a live-mode one (the event's own `livemode`, covered by the
signature). Compared in constant time; older or newer than 300 s is refused.

Event (https://developers.paymongo.com/docs/webhooks):
`{"data": {"id": "evt_…", "type": "event", "attributes": {"type", "livemode",
"data": <resource>}}}`. A payment resource names its intent (`payment_intent_id`),
which is the adapter's reference for the attempt; `metadata.payment_id` names
Payroute's payment.

Refunds (https://developers.paymongo.com/reference/refund-resource): a refund
resource (`payment.refund.updated`, or any event carrying one) is routed by its
own id or the `payment_id`/`refund_id` Payroute put in its metadata; its
`status` decides: `succeeded` → refunded, `failed` → failed, `pending` and
`processing` → other (no effect yet). `payment.refunded` carries the payment,
whose `refunds` tell the total refunded so far (the succeeded ones); when they
list none succeeded it is `other`.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from payroute_common.messages import ProviderWebhookReceived
from payroute_common.messages.provider_webhooks import WebhookOutcome, WebhookSubject
from payroute_common.money import UnknownCurrencyError, currency_exponent
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError, StaleSignatureError
from webhook_ingest.providers.fields import Traced, decoded, payment_id, text, traceparent

PROVIDER = "paymongo"
TOLERANCE_S = 300
HEADER = "paymongo-signature"

EVENT_TYPES: dict[str, tuple[WebhookSubject, WebhookOutcome]] = {
    "payment.paid": ("payment", "succeeded"),
    "payment.failed": ("payment", "failed"),
    "payment.refunded": ("refund", "refunded"),
}
REFUND_STATUSES: dict[str, WebhookOutcome] = {"succeeded": "refunded", "failed": "failed"}


def classify(event_type: str, resource: Mapping[str, Any]) -> tuple[WebhookSubject, WebhookOutcome]:
    if resource.get("type") == "refund":  # the refund's own status, whatever the event
        status = _attributes(resource).get("status")
        return "refund", REFUND_STATUSES.get(status if isinstance(status, str) else "", "other")
    known = EVENT_TYPES.get(event_type)
    if known is not None:
        return known
    return "payment", "other"


def refunded_total(payment_attrs: Mapping[str, Any]) -> int | None:
    """The sum of a payment's succeeded refunds; None if it lists none."""
    refunds = payment_attrs.get("refunds")
    if not isinstance(refunds, list):
        return None
    total = 0
    for refund in refunds:
        attrs = _attributes(refund) if isinstance(refund, Mapping) else {}
        amount = attrs.get("amount")
        if attrs.get("status") == "succeeded" and type(amount) is int and amount > 0:
            total += amount
    return total


def _refund_details(resource: Mapping[str, Any], outcome: WebhookOutcome) -> dict[str, Any]:
    """`refund_id` of a refund resource; `amount_refunded` of a refunded payment."""
    attrs = _attributes(resource)
    if resource.get("type") == "refund":
        metadata = attrs.get("metadata")
        refund_id = metadata.get("refund_id") if isinstance(metadata, Mapping) else None
        return {"refund_id": refund_id if isinstance(refund_id, str) and refund_id else None}
    if outcome == "refunded":
        return {"amount_refunded": refunded_total(attrs)}
    return {}


def parse_signature(header: str | None) -> tuple[int, str, str]:
    """`t`, `te` and `li` of a `Paymongo-Signature` header."""
    if not header:
        raise InvalidSignatureError("no Paymongo-Signature header")
    parts = dict(part.strip().partition("=")[::2] for part in header.split(","))
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        raise InvalidSignatureError("no timestamp in Paymongo-Signature") from None
    return timestamp, parts.get("te", ""), parts.get("li", "")


def _attributes(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    attrs = resource.get("attributes")
    return attrs if isinstance(attrs, Mapping) else {}


def _claims_livemode(body: bytes) -> bool:
    """The event's own `livemode`, read before verification only to pick `te` or `li`."""
    try:
        event = json.loads(body)
        return event["data"]["attributes"]["livemode"] is True
    except (ValueError, KeyError, TypeError):
        return False


def _money(attrs: Mapping[str, Any]) -> tuple[int | None, str | None]:
    currency, amount = attrs.get("currency"), attrs.get("amount")
    if not isinstance(currency, str):
        return None, None
    try:
        currency_exponent(currency)
    except UnknownCurrencyError:
        return None, None
    if not isinstance(amount, int) or isinstance(amount, bool):
        return None, currency.upper()
    return amount, currency.upper()


def normalize(event: Any, received_at: datetime) -> ProviderWebhookReceived:
    """The Payroute view of one PayMongo event document (already JSON-decoded)."""
    data = event.get("data") if isinstance(event, Mapping) else None
    if not isinstance(data, Mapping):
        raise InvalidPayloadError("data is missing")
    attrs = _attributes(data)
    event_type = text(attrs.get("type"), "data.attributes.type")
    resource = attrs.get("data")
    if not isinstance(resource, Mapping):
        raise InvalidPayloadError("data.attributes.data is missing")
    subject, outcome = classify(event_type, resource)
    details = _refund_details(resource, outcome)
    if details.get("amount_refunded") == 0:
        outcome = "other"  # the payment lists no succeeded refund yet
    resource_attrs = _attributes(resource)
    reference = resource_attrs.get("payment_intent_id") or resource.get("id")
    amount, currency = _money(resource_attrs)
    try:
        return ProviderWebhookReceived(
            provider=PROVIDER,
            provider_event_id=text(data.get("id"), "data.id"),
            provider_event_type=event_type,
            subject=subject,
            outcome=outcome,
            provider_reference=text(reference, "the resource's payment_intent_id or id"),
            payment_id=payment_id(resource_attrs),
            amount=amount,
            currency=currency,
            received_at=received_at,
            **details,
        )
    except ValidationError as error:
        raise InvalidPayloadError(f"unreadable event: {error.errors()[0]['msg']}") from error


class PaymongoProvider:
    """`Paymongo-Signature`: HMAC-SHA256 over `t.body`, `te` (test) or `li` (live)."""

    name = PROVIDER

    def __init__(
        self,
        secret: str,
        *,
        tolerance_s: int = TOLERANCE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret.encode()
        self._tolerance_s = tolerance_s
        self._clock = clock

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        timestamp, test, live = parse_signature(headers.get(HEADER))
        presented = live if _claims_livemode(body) else test
        signed = f"{timestamp}.".encode() + body
        expected = hmac.new(self._secret, signed, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(presented.encode(), expected.encode()):
            raise InvalidSignatureError("no signature matches the expected one for this payload")
        if abs(self._clock() - timestamp) > self._tolerance_s:
            raise StaleSignatureError("the timestamp is outside the tolerance zone")

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        return normalize(decoded(body), received_at)

    def parse_traced(self, body: bytes, received_at: datetime) -> Traced:
        event = decoded(body)
        message = normalize(event, received_at)  # checked: data.attributes.data is there
        return message, traceparent(_attributes(event["data"]["attributes"]["data"]))
