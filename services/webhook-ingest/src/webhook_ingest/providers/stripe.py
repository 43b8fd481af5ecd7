"""Stripe webhooks: `Stripe-Signature` verified by the official SDK, events normalized
into `ProviderWebhookReceived` (pure: no I/O).

Which payment an event is about: `data.object.metadata.payment_id`, which the
orchestrator sets on every provider call (and which wins over merchant
metadata); without it, the orchestrator routes by provider reference: the
object's id, except for a charge or a dispute, which name their PaymentIntent
(`payment_intent`, the reference Payroute keeps; else the `charge`). Amount:
`amount_received` when positive, else `amount` (a failed or canceled intent
received nothing, so its requested amount is the informative one). A currency
Payroute does not support drops amount and currency, not the event: Stripe
would retry a refused event for days.

Disputes (https://docs.stripe.com/api/disputes/object): `id`, `amount`, `reason`
and `status` (`needs_response`, ..., `won`, `lost`) travel as `dispute_id`,
`amount`, `reason` and `dispute_status`. Refunds
(https://docs.stripe.com/api/refunds/object): the outcome follows the refund's
`status` (`succeeded` → refunded; `failed` or `canceled` → failed; `pending` and
`requires_action` → other, no effect yet), whatever the event
(`refund.created`, `refund.updated`, `refund.failed`, `charge.refund.updated`);
`metadata.refund_id` names Payroute's refund and `failure_reason` says why one
failed. A refunded charge (https://docs.stripe.com/api/charges/object) tells the
total refunded on it so far: `amount_refunded` less what a partial capture
released (`amount - amount_captured`), which Stripe counts as refunded too
(capturing 1,500 of 2,000 leaves `amount_refunded: 500` with nothing refunded);
`charge.refunded` with nothing refunded by that measure is `other`.

Signatures dated more than the tolerance away from now, in the past or in the
future, are refused (the SDK checks only the past).
"""

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import stripe
from pydantic import ValidationError

from payroute_common.messages import ProviderWebhookReceived
from payroute_common.messages.provider_webhooks import WebhookOutcome, WebhookSubject
from payroute_common.money import UnknownCurrencyError, currency_exponent
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError, StaleSignatureError
from webhook_ingest.providers.fields import Traced, decoded, traceparent

PROVIDER = "stripe"
TOLERANCE_S = 300
# How the SDK words a valid signature outside its tolerance (checked after the match).
SDK_STALE = "Timestamp outside the tolerance zone"

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


# https://docs.stripe.com/api/refunds/object#refund_object-status
REFUND_STATUSES: dict[str, WebhookOutcome] = {
    "succeeded": "refunded",
    "failed": "failed",
    "canceled": "failed",
}


def classify(
    event_type: str, object_type: object = None, status: object = None
) -> tuple[WebhookSubject, WebhookOutcome]:
    if object_type == "refund":  # refund.*, charge.refund.updated: the refund's own status
        return "refund", REFUND_STATUSES.get(status if isinstance(status, str) else "", "other")
    known = EVENT_TYPES.get(event_type)
    if known is not None:
        return known
    subject = OBJECT_SUBJECTS.get(object_type) if isinstance(object_type, str) else None
    return (subject or "payment", "other")


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidPayloadError(f"{what} is missing or not a string")
    return value


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def refunded_by_refunds(charge: Mapping[str, Any]) -> int | None:
    """What refunds took back from a charge: `amount_refunded` without the part of the
    authorization a partial capture released (Stripe counts that as refunded)."""
    refunded = _integer(charge.get("amount_refunded"))
    if refunded is None:
        return None
    amount, captured = _integer(charge.get("amount")), _integer(charge.get("amount_captured"))
    if amount is None or captured is None or charge.get("captured") is False:
        return refunded
    return max(0, refunded - max(0, amount - captured))


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


def _optional_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _metadata(obj: Mapping[str, Any], key: str) -> str | None:
    metadata = obj.get("metadata")
    return _optional_text(metadata.get(key)) if isinstance(metadata, Mapping) else None


def _reference(obj: Mapping[str, Any]) -> str:
    """The reference Payroute knows the object's payment by."""
    if obj.get("object") in {"charge", "dispute"}:
        for key in ("payment_intent", "charge"):
            reference = _optional_text(obj.get(key))
            if reference is not None:
                return reference
    return _text(obj.get("id"), "data.object.id")


def _details(obj: Mapping[str, Any]) -> dict[str, Any]:
    """What disputes, refunds and refunded charges tell beyond the common fields."""
    kind = obj.get("object")
    if kind == "dispute":
        return {
            "dispute_id": _text(obj.get("id"), "data.object.id"),
            "dispute_status": _text(obj.get("status"), "data.object.status"),
            "reason": _optional_text(obj.get("reason")),
        }
    if kind == "refund":
        return {
            "refund_id": _metadata(obj, "refund_id"),
            "reason": _optional_text(obj.get("failure_reason")),
        }
    refunded = refunded_by_refunds(obj) if kind == "charge" else None
    return {"amount_refunded": refunded} if refunded is not None else {}


def normalize(event: Any, received_at: datetime) -> ProviderWebhookReceived:
    """The Payroute view of one Stripe `event` object (already JSON-decoded)."""
    if not isinstance(event, Mapping):
        raise InvalidPayloadError("the body is not a JSON object")
    event_type = _text(event.get("type"), "type")
    data = event.get("data")
    obj = data.get("object") if isinstance(data, Mapping) else None
    if not isinstance(obj, Mapping):
        raise InvalidPayloadError("data.object is missing")
    subject, outcome = classify(event_type, obj.get("object"), obj.get("status"))
    details = _details(obj)
    if event_type == "charge.refunded" and details.get("amount_refunded") == 0:
        outcome = "other"  # only a partial capture's release: nothing was refunded
    amount, currency = _money(obj)
    try:
        return ProviderWebhookReceived(
            provider=PROVIDER,
            provider_event_id=_text(event.get("id"), "id"),
            provider_event_type=event_type,
            subject=subject,
            outcome=outcome,
            provider_reference=_reference(obj),
            payment_id=_metadata(obj, "payment_id"),
            amount=amount,
            currency=currency,
            received_at=received_at,
            **details,
        )
    except ValidationError as error:
        raise InvalidPayloadError(f"unreadable event: {error.errors()[0]['msg']}") from error


def signed_at(header: str) -> int | None:
    """The `t=` timestamp of a `Stripe-Signature` header, read as the SDK reads it
    (the first `t` item); None if it has none."""
    for part in header.split(","):
        name, _, value = part.partition("=")
        if name == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class StripeProvider:
    """`Stripe-Signature`: HMAC-SHA256 over `t.body`, checked by the official SDK; the
    timestamp within the tolerance on both sides of now."""

    name = PROVIDER

    def __init__(
        self,
        secret: str,
        *,
        tolerance_s: int = TOLERANCE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self._tolerance_s = tolerance_s
        self._clock = clock

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        header = headers.get("stripe-signature")
        try:
            stripe.WebhookSignature.verify_header(
                body, header, self._secret, tolerance=self._tolerance_s
            )
        except stripe.SignatureVerificationError as error:
            refused = (
                StaleSignatureError if str(error).startswith(SDK_STALE) else InvalidSignatureError
            )
            raise refused(str(error)) from None
        except UnicodeDecodeError:
            raise InvalidSignatureError("the body is not UTF-8") from None
        timestamp = signed_at(header or "")
        if timestamp is None:
            raise InvalidSignatureError("no timestamp in Stripe-Signature")
        if timestamp - self._clock() > self._tolerance_s:
            raise StaleSignatureError(f"{SDK_STALE} (in the future)")

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        return normalize(decoded(body), received_at)

    def parse_traced(self, body: bytes, received_at: datetime) -> Traced:
        event = decoded(body)
        message = normalize(event, received_at)  # checked: data.object is there
        return message, traceparent(event["data"]["object"])
