"""The payment lifecycle over HTTP on the whole running system: manual capture,
partial capture, refunds, cancel, manual methods, idempotency and tenancy.

The simulator's ledger is the witness of money moved: every figure Payroute
shows must match it exactly.
"""

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from .helpers import CARD, api, ledger, wait_for

pytestmark = pytest.mark.integration

WAIT = {"Prefer": "wait=10"}


async def payroute(stack: Any, *args: str) -> dict:
    """Run the operators' CLI against the stack's gateway database."""
    env = {**os.environ, "GATEWAY_API_DATABASE_URL": stack.database_url("gateway-api")}
    cli = Path(sys.executable).with_name("payroute")
    process = await asyncio.create_subprocess_exec(
        cli, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return dict(json.loads(out))


async def configure(stack: Any, merchant: dict, settings: dict) -> None:
    """Set a merchant's settings the way its back office does: with an operator key."""
    operator = await payroute(stack, "keys", "create", merchant["id"], "--role", "operator")
    async with api(stack, operator["api_key"]) as office:
        answer = await office.post("/v1/merchant/settings", json=settings)
    assert answer.status_code == 200, answer.text


async def post(client: httpx.AsyncClient, path: str, body: dict, **headers: str) -> httpx.Response:
    return await client.post(path, json=body, headers={**WAIT, **headers})


async def authorized_payment(client: httpx.AsyncClient, amount: int) -> dict:
    body = {"amount": amount, "currency": "PHP", "payment_method": CARD, "capture_method": "manual"}
    answer = await post(client, "/v1/payments", body)
    assert answer.status_code == 201, answer.text
    payment = dict(answer.json())
    assert payment["status"] == "authorized", payment
    assert payment["amount_capturable"] == amount
    return payment


def moved(entries: list[dict], kind: str) -> list[int]:
    return [entry["amount"] for entry in entries if entry["kind"] == kind]


async def test_partial_capture_then_partial_refunds_never_exceed_the_capture(stack) -> None:
    async with api(stack) as client:
        payment = await authorized_payment(client, 10_000)
        pay = payment["id"]

        answer = await post(client, f"/v1/payments/{pay}/capture", {"amount": 6_000})
        assert answer.status_code == 200, answer.text
        captured = answer.json()
        assert (captured["status"], captured["amount_captured"]) == ("captured", 6_000)
        assert captured["amount_capturable"] == 0
        fees = captured["fees"]
        assert fees["provider_fee"] + fees["platform_fee"] + fees["net"] == 6_000

        for amount in (2_500, 2_000):
            answer = await post(client, "/v1/refunds", {"payment_id": pay, "amount": amount})
            assert answer.status_code == 201, answer.text
            assert answer.json()["status"] == "succeeded", answer.text

        refused = await post(client, "/v1/refunds", {"payment_id": pay, "amount": 1_501})
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "amount_exceeds_refundable"

        shown = (await client.get(f"/v1/payments/{pay}")).json()
        assert (shown["status"], shown["amount_refunded"]) == ("partially_refunded", 4_500)
        listed = (await client.get("/v1/refunds", params={"payment_id": pay})).json()
        assert sorted(r["amount"] for r in listed["data"]) == [2_000, 2_500]

        timeline = (await client.get(f"/v1/payments/{pay}/events")).json()["data"]
        statuses = [event["status"] for event in timeline]
        assert statuses[0] == "processing"
        assert "authorized" in statuses
        assert statuses[-1] == "partially_refunded"

    entries = await ledger(stack, pay)
    assert moved(entries, "authorization") == [10_000]
    assert moved(entries, "capture") == [6_000]
    assert sorted(moved(entries, "refund")) == [2_000, 2_500]


async def test_cancel_voids_an_authorization_but_not_a_capture(stack) -> None:
    async with api(stack) as client:
        voided = await authorized_payment(client, 5_000)
        answer = await post(client, f"/v1/payments/{voided['id']}/cancel", {})
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "canceled"
        assert moved(await ledger(stack, voided["id"]), "void") == [5_000]

        kept = await authorized_payment(client, 5_000)
        await post(client, f"/v1/payments/{kept['id']}/capture", {})
        refused = await post(client, f"/v1/payments/{kept['id']}/cancel", {})
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "payment_not_cancelable"
        assert (await client.get(f"/v1/payments/{kept['id']}")).json()["status"] == "captured"
    assert moved(await ledger(stack, kept["id"]), "void") == []


async def test_an_operator_verifies_a_cash_payment(stack) -> None:
    cash = {"amount": 50_000, "currency": "PHP", "payment_method": {"type": "cash"}}
    async with api(stack) as client, api(stack, stack.operator_key) as operator:
        approved = (await post(client, "/v1/payments", cash)).json()
        rejected = (await post(client, "/v1/payments", cash)).json()
        assert approved["status"] == rejected["status"] == "pending_verification"

        forbidden = await post(
            client, f"/v1/payments/{approved['id']}/verify", {"decision": "approve"}
        )
        assert forbidden.status_code == 403, forbidden.text

        answer = await post(
            operator, f"/v1/payments/{approved['id']}/verify", {"decision": "approve"}
        )
        assert answer.status_code == 200, answer.text
        assert (answer.json()["status"], answer.json()["amount_captured"]) == ("captured", 50_000)
        assert answer.json()["fees"]["provider_fee"] == 0

        answer = await post(
            operator, f"/v1/payments/{rejected['id']}/verify", {"decision": "reject"}
        )
        assert answer.json()["status"] == "failed"
        assert answer.json()["failure"]["code"] == "verification_rejected"


async def test_an_unverified_manual_payment_expires_to_failed(stack) -> None:
    merchant = await payroute(stack, "merchants", "create", "Expiring Merchant")
    await configure(stack, merchant, {"verification_ttl_seconds": 1})
    async with api(stack, merchant["api_key"]) as client:
        body = {"amount": 2_000, "currency": "PHP", "payment_method": {"type": "cheque"}}
        payment = (await post(client, "/v1/payments", body)).json()
        assert payment["status"] == "pending_verification"

        async def expired() -> dict | None:
            shown = (await client.get(f"/v1/payments/{payment['id']}")).json()
            return shown if shown["status"] == "failed" else None

        failed = await wait_for(expired, timeout=15, what="the verification window to expire")
    assert failed["failure"]["code"] == "verification_expired"


async def test_concurrent_creates_with_one_idempotency_key_make_one_payment(stack) -> None:
    key = str(uuid.uuid4())
    body = {"amount": 7_700, "currency": "PHP", "payment_method": CARD, "order_id": key}
    async with api(stack) as client:
        answers = await asyncio.gather(
            *(
                client.post("/v1/payments", json=body, headers={"Idempotency-Key": key})
                for _ in "ab"
            )
        )
        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        assert answers[0].json() == answers[1].json()

        reused = await client.post(
            "/v1/payments", json={**body, "amount": 7_701}, headers={"Idempotency-Key": key}
        )
        assert reused.status_code == 409
        assert reused.json()["error"]["code"] == "idempotency_key_reused"

        listed = (await client.get("/v1/payments", params={"order_id": key})).json()
    assert [p["id"] for p in listed["data"]] == [answers[0].json()["id"]]


async def test_merchants_are_isolated_and_revoked_keys_refused(stack) -> None:
    other = await payroute(stack, "merchants", "create", "Other Merchant")
    async with api(stack) as client:
        payment = await authorized_payment(client, 3_000)
    async with api(stack, other["api_key"]) as stranger:
        for path in (f"/v1/payments/{payment['id']}", f"/v1/payments/{payment['id']}/events"):
            answer = await stranger.get(path)
            assert answer.status_code == 404, answer.text
            assert answer.json()["error"]["code"] == "resource_missing"
        answer = await stranger.post(f"/v1/payments/{payment['id']}/capture", json={})
        assert answer.status_code == 404

    await payroute(stack, "keys", "revoke", other["key_id"])
    async with api(stack, other["api_key"]) as revoked:
        answer = await revoked.get("/v1/payments")
    assert answer.status_code == 401
    assert answer.json()["error"]["type"] == "authentication_error"
