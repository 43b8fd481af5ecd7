"""What the audit log keeps, read back from Postgres: no credential in any stored
text, refused bodies cut short with their size, accepted bodies whole."""

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from .conftest import PAYMONGO_SECRET, SECRET, XENDIT_TOKEN, Ingest

pytestmark = pytest.mark.integration

CALLER_TOKEN = "Bearer caller-bearer-token-0123456789"
COOKIE = "session=caller-session-cookie-0123456789"


def stripe_event(event_id: str, pad: int = 0) -> bytes:
    obj = {
        "id": f"pi_{event_id}",
        "object": "payment_intent",
        "amount": 4200,
        "amount_received": 4200,
        "currency": "php",
        "metadata": {"payment_id": "pay_hygiene"},
        "description": "p" * pad,
    }
    event = {"id": event_id, "object": "event", "type": "payment_intent.succeeded"}
    return json.dumps({**event, "data": {"object": obj}}).encode()


def digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def xendit_callback(object_id: str) -> bytes:
    data = {
        "id": object_id,
        "payment_request_id": f"pr_{object_id}",
        "amount": 42.0,
        "currency": "PHP",
        "status": "SUCCEEDED",
        "metadata": {"payment_id": "pay_hygiene"},
    }
    return json.dumps({"event": "payment.succeeded", "business_id": "biz", "data": data}).encode()


def paymongo_event(event_id: str) -> bytes:
    payment = {
        "id": f"pay_{event_id}",
        "type": "payment",
        "attributes": {
            "amount": 4200,
            "currency": "PHP",
            "status": "paid",
            "payment_intent_id": f"pi_{event_id}",
            "metadata": {"payment_id": "pay_hygiene"},
        },
    }
    attributes = {"type": "payment.paid", "livemode": False, "data": payment}
    return json.dumps(
        {"data": {"id": event_id, "type": "event", "attributes": attributes}}
    ).encode()


async def send_everything(client: httpx.AsyncClient, tag: str) -> tuple[list[int], set[str]]:
    """Accepted and refused requests for every provider; (statuses, digests sent)."""
    now = int(time.time())
    extra = {"authorization": CALLER_TOKEN, "cookie": COOKIE, "x-tag": tag}
    statuses, digests = [], set()

    body = stripe_event(f"evt_{tag}")
    good = digest(SECRET, now, body)
    digests.add(good)
    for signature in (f"t={now},v1={good}", f"t={now},v1={'0' * 64}"):
        headers = {**extra, "stripe-signature": signature}
        statuses.append(
            (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code
        )

    callback = xendit_callback(f"obj_{tag}")
    for token in (XENDIT_TOKEN, "not-the-callback-token"):
        headers = {**extra, "x-callback-token": token}
        response = await client.post("/webhooks/xendit", content=callback, headers=headers)
        statuses.append(response.status_code)

    event = paymongo_event(f"evt_pm_{tag}")
    good = digest(PAYMONGO_SECRET, now, event)
    digests.add(good)
    for signature in (f"t={now},te={good},li=", f"t={now + 900},te={good},li="):
        headers = {**extra, "paymongo-signature": signature}
        response = await client.post("/webhooks/paymongo", content=event, headers=headers)
        statuses.append(response.status_code)

    headers = {**extra, "x-callback-token": XENDIT_TOKEN, "x-api-key": SECRET}
    statuses.append(
        (await client.post("/webhooks/acme", content=body, headers=headers)).status_code
    )
    return statuses, digests


async def text_columns(ingest: Ingest) -> list[tuple[str, str]]:
    rows = await ingest.rows(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' "
        "AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
    )
    return [(r.table_name, r.column_name) for r in rows]


async def occurrences(ingest: Ingest, needle: str) -> list[tuple[str, str, Any]]:
    found = []
    for table, column in await text_columns(ingest):
        rows = await ingest.rows(
            f'SELECT count(*) AS n FROM "{table}" WHERE strpos("{column}"::text, :s) > 0', s=needle
        )
        if rows[0].n:
            found.append((table, column, rows[0].n))
    return found


async def test_no_stored_text_holds_a_secret_token_or_signature(
    client: httpx.AsyncClient, ingest: Ingest
) -> None:
    tag = uuid.uuid4().hex
    statuses, digests = await send_everything(client, tag)
    assert statuses == [200, 400, 200, 400, 200, 400, 404]
    stored = await ingest.rows(
        "SELECT provider, status, headers FROM webhook_requests WHERE headers ->> 'x-tag' = :t",
        t=tag,
    )
    assert [(r.provider, r.status) for r in stored] == [
        ("stripe", "accepted"),
        ("stripe", "rejected"),
        ("xendit", "accepted"),
        ("xendit", "rejected"),
        ("paymongo", "accepted"),
        ("paymongo", "rejected"),
        ("acme", "rejected"),
    ]
    assert {"webhook_requests", "outbox"} <= {table for table, _ in await text_columns(ingest)}
    needles = [SECRET, PAYMONGO_SECRET, XENDIT_TOKEN, "not-the-callback-token", CALLER_TOKEN]
    for needle in [*needles, COOKIE, *digests]:
        assert await occurrences(ingest, needle) == [], needle
    # The log still shows what was sent, and when it was signed.
    headers = stored[0].headers
    assert headers["authorization"] == headers["cookie"] == "[redacted]"
    assert stored[2].headers["x-callback-token"] == "[redacted]"
    assert stored[4].headers["paymongo-signature"].startswith("t=")


async def test_refused_bodies_are_cut_and_accepted_ones_kept_whole(
    client: httpx.AsyncClient, ingest: Ingest
) -> None:
    tag = uuid.uuid4().hex
    body = stripe_event(f"evt_{tag}", pad=3000)
    now = int(time.time())
    for signature in (f"t={now},v1={'0' * 64}", f"t={now},v1={digest(SECRET, now, body)}"):
        headers = {"stripe-signature": signature, "x-tag": tag}
        await client.post("/webhooks/stripe", content=body, headers=headers)
    rows = await ingest.rows(
        "SELECT status, body, body_size FROM webhook_requests "
        "WHERE headers ->> 'x-tag' = :t ORDER BY id",
        t=tag,
    )
    assert [(r.status, len(r.body), r.body_size) for r in rows] == [
        ("rejected", 1024, len(body)),
        ("accepted", len(body), len(body)),
    ]
    assert rows[1].body == body.decode()
