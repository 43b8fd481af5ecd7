"""Wallet payments through PayMongo on the whole running system: the customer's
redirect, the signed webhook that completes the payment, its duplicates, forged or
stale copies, and a webhook that beats the synchronous answer. Capture and refund
through every adapter are in test_adapters_ledger.py.

The simulator's ledger is the witness of money moved; webhook-ingest's
`webhook_requests` table is the witness of what was received and refused.
"""

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest

from .helpers import api, ledger, query, status_becomes, wait_for

pytestmark = pytest.mark.integration

WAIT = {"Prefer": "wait=10"}
RETURN_URL = "https://shop.example/back"


def gcash(token: str | None = None, amount: int = 25_000, **extra: Any) -> dict[str, Any]:
    method = {"type": "gcash", **({"token": token} if token else {})}
    return {
        "amount": amount,
        "currency": "PHP",
        "payment_method": method,
        "return_url": RETURN_URL,
        **extra,
    }


async def create(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post("/v1/payments", json=body, headers=WAIT)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def timeline(client: httpx.AsyncClient, payment_id: str) -> list[dict]:
    return list((await client.get(f"/v1/payments/{payment_id}/events")).json()["data"])


async def accepted_webhook(stack: Any, payment_id: str) -> tuple[bytes, dict[str, str]]:
    """The signed `payment.paid` webhook-ingest accepted for `payment_id`, as it came."""

    async def stored() -> list:
        return await query(
            stack,
            "webhook-ingest",
            "SELECT body, headers FROM webhook_requests WHERE provider = 'paymongo'"
            " AND status = 'accepted' AND provider_event_type = 'payment.paid'"
            " AND position($1 in body) > 0",
            payment_id,
        )

    (row,) = await wait_for(stored, timeout=10, what="the accepted payment.paid webhook")
    headers = row["headers"] if isinstance(row["headers"], dict) else json.loads(row["headers"])
    return row["body"].encode(), headers


def sign(body: bytes, secret: str, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},te={digest},li="


async def post_webhook(stack: Any, body: bytes, signature: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(
            f"{stack.url('webhook-ingest')}/webhooks/paymongo",
            content=body,
            headers={"Content-Type": "application/json", "Paymongo-Signature": signature},
        )


async def test_gcash_completes_by_webhook_after_the_customer_confirms(stack) -> None:
    async with api(stack) as client:
        payment = await create(client, gcash())
        assert (payment["status"], payment["provider"]) == ("requires_action", "paymongo")
        redirect_url = payment["next_action"]["redirect_url"]
        assert await ledger(stack, payment["id"]) == []

        async with httpx.AsyncClient(timeout=10) as browser:
            confirmed = await browser.get(redirect_url)
        assert confirmed.status_code == 302
        assert confirmed.headers["location"] == RETURN_URL

        captured = await status_becomes(client, payment["id"], "captured")
    assert captured["amount_captured"] == 25_000
    moves = await ledger(stack, payment["id"])
    assert [(m["kind"], m["amount"]) for m in moves] == [("charge", 25_000)]


async def test_the_same_webhook_twenty_times_changes_the_payment_once(stack) -> None:
    async with api(stack) as client:
        payment = await create(client, gcash())
        async with httpx.AsyncClient(timeout=10) as browser:
            await browser.get(payment["next_action"]["redirect_url"])
        await status_becomes(client, payment["id"], "captured")
        body, headers = await accepted_webhook(stack, payment["id"])
        # Stored signatures are redacted: the provider's retries are signed afresh.
        assert "[redacted]" in headers["paymongo-signature"]
        secret = stack.env["PAYMONGO_WEBHOOK_SECRET"]
        answers = [
            await post_webhook(stack, body, sign(body, secret, int(time.time()))) for _ in range(20)
        ]
        assert [a.status_code for a in answers] == [200] * 20
        event_id = json.loads(body)["data"]["id"]
        rows = await query(
            stack,
            "webhook-ingest",
            "SELECT status, count(*) AS n FROM webhook_requests"
            " WHERE provider = 'paymongo' AND provider_event_id = $1 GROUP BY status",
            event_id,
        )
        assert {r["status"]: r["n"] for r in rows} == {"accepted": 1, "duplicate": 20}

        events = await timeline(client, payment["id"])
        assert [e["status"] for e in events].count("captured") == 1
        shown = (await client.get(f"/v1/payments/{payment['id']}")).json()
    assert (shown["status"], shown["amount_captured"]) == ("captured", 25_000)
    assert [m["kind"] for m in await ledger(stack, payment["id"])] == ["charge"]


async def test_forged_and_stale_webhooks_are_refused_stored_and_ignored(stack) -> None:
    secret = stack.env["PAYMONGO_WEBHOOK_SECRET"]
    async with api(stack) as client:
        payment = await create(client, gcash())
        before = await timeline(client, payment["id"])
        forged_event = {
            "data": {
                "id": f"evt_forged_{payment['id']}",
                "type": "event",
                "attributes": {
                    "type": "payment.paid",
                    "livemode": False,
                    "data": {
                        "id": "pay_forged",
                        "type": "payment",
                        "attributes": {
                            "amount": 25_000,
                            "currency": "PHP",
                            "status": "paid",
                            "payment_intent_id": payment["provider_reference"] or "pi_unknown",
                            "metadata": {"payment_id": payment["id"]},
                        },
                    },
                    "created_at": int(time.time()),
                },
            }
        }
        body = json.dumps(forged_event).encode()
        now = int(time.time())
        bad = await post_webhook(stack, body, sign(body, "whsk_not_the_secret", now))
        stale = await post_webhook(stack, body, sign(body, secret, now - 600))
        assert 400 <= bad.status_code < 500, bad.text
        assert 400 <= stale.status_code < 500, stale.text

        rows = await query(
            stack,
            "webhook-ingest",
            "SELECT status, verified, provider_event_id FROM webhook_requests"
            " WHERE provider = 'paymongo' AND body = $1",
            body.decode(),
        )
        assert [(r["status"], r["verified"]) for r in rows] == [("rejected", False)] * 2
        assert {r["provider_event_id"] for r in rows} == {f"evt_forged_{payment['id']}"}
        shown = (await client.get(f"/v1/payments/{payment['id']}")).json()
        assert shown["status"] == "requires_action"
        assert await timeline(client, payment["id"]) == before
    assert await ledger(stack, payment["id"]) == []


async def test_a_webhook_before_the_synchronous_answer_still_captures(stack) -> None:
    async with api(stack) as client:
        answer = await client.post("/v1/payments", json=gcash("pm_gcash_webhookFirst"))
        assert answer.status_code == 201, answer.text
        payment = answer.json()
        captured = await status_becomes(client, payment["id"], "captured")
        await accepted_webhook(stack, payment["id"])
        events = await timeline(client, payment["id"])
    assert captured["amount_captured"] == 25_000
    # Captured by the webhook; the late `requires_action` answer moved nothing back.
    (capture,) = [e for e in events if e["status"] == "captured"]
    assert "provider news" in (capture["reason"] or "")
    assert "requires_action" not in [e["status"] for e in events]
    assert [(m["kind"], m["amount"]) for m in await ledger(stack, payment["id"])] == [
        ("charge", 25_000)
    ]
