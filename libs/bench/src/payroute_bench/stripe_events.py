"""Stripe `payment_intent.succeeded` events signed the way Stripe signs webhooks.

`Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the
endpoint secret>`, as https://docs.stripe.com/webhooks#verify-manually describes.
"""

from __future__ import annotations

import hashlib
import hmac
import json


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def payment_intent_succeeded(event_id: str, amount: int = 10_000, currency: str = "php") -> bytes:
    """The JSON body of one event; `event_id` also names its intent and payment."""
    suffix = event_id.removeprefix("evt_")
    event = {
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "type": "payment_intent.succeeded",
        "livemode": False,
        "data": {
            "object": {
                "id": f"pi_{suffix}",
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": currency,
                "status": "succeeded",
                "metadata": {"payment_id": f"pay_{suffix}"},
            }
        },
    }
    return json.dumps(event, separators=(",", ":")).encode()


def signed_request(secret: str, event_id: str, timestamp: int) -> tuple[bytes, dict[str, str]]:
    """Body and headers of one webhook delivery of a fresh `payment_intent.succeeded`."""
    body = payment_intent_succeeded(event_id)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": signature_header(secret, body, timestamp),
    }
    return body, headers


def event_prefix(run: str) -> str:
    """What every event id of bench run `run` starts with."""
    return f"evt_bench{run}_"


def event_id(run: str, seq: int) -> str:
    """The id of the `seq`-th event a bench run sends; unique across runs by `run`."""
    return f"{event_prefix(run)}{seq:08d}"
