"""Stripe events and `Stripe-Signature` headers built the way Stripe builds them."""

import hashlib
import hmac
import json
import time
from typing import Any

SECRET = "whsec_test_secret"


def signature_header(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def payment_intent_event(
    event_type: str = "payment_intent.succeeded",
    *,
    event_id: str = "evt_1",
    intent_id: str = "pi_1",
    payment_id: str | None = "pay_1",
    amount: int = 2500,
    amount_received: int = 2500,
    currency: str = "php",
    description: str | None = None,
) -> dict[str, Any]:
    metadata = {"payment_id": payment_id} if payment_id else {}
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": 1_700_000_000,
        "data": {
            "object": {
                "id": intent_id,
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount_received,
                "currency": currency,
                "metadata": metadata,
                "status": "succeeded",
                "description": description,
            }
        },
    }


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode()
