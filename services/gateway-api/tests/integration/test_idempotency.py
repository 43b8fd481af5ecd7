"""Idempotency-Key on POSTs: replay, reuse, concurrency, purge (real app, real database)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from gateway_api.idempotency import purge
from gateway_api.projection import read_model
from payroute_common.clock import utcnow
from payroute_common.ids import new_id
from payroute_common.messages import PaymentAuthorized, PaymentCaptured, PaymentSnapshot

pytestmark = pytest.mark.integration


async def captured(client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any) -> Any:
    payment = (await client.post("/v1/payments", json=body(), headers=merchant.headers)).json()
    state = PaymentSnapshot(
        payment_id=payment["id"],
        merchant_id=merchant.id,
        version=2,
        status="captured",
        amount=payment["amount"],
        amount_capturable=0,
        amount_captured=payment["amount"],
        amount_refunded=0,
        currency="PHP",
        capture_method="automatic",
        payment_method_type="card",
        provider="stripe",
        provider_reference="pi_1",
        failure=None,
        created_at=payment["created_at"],
        updated_at=payment["created_at"],
    )
    async with gateway.unit_of_work() as uow:
        await read_model.apply_payment_events([PaymentCaptured(payment=state)], uow=uow)
        await uow.commit()
    return payment


def keyed(merchant: Any, key: str) -> dict[str, str]:
    return {**merchant.headers, "Idempotency-Key": key}


async def test_two_concurrent_creates_with_one_key_make_one_payment(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    key = new_id("idem")
    first, second = await asyncio.gather(
        client.post("/v1/payments", json=body(order_id=key), headers=keyed(merchant, key)),
        client.post("/v1/payments", json=body(order_id=key), headers=keyed(merchant, key)),
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    rows = await gateway.rows("SELECT id FROM payments WHERE order_id = :key", key=key)
    assert len(rows) == 1
    outbox = await gateway.rows("SELECT 1 FROM outbox WHERE key = :id", id=rows[0].id)
    assert len(outbox) == 1


async def test_a_retry_replays_the_first_answer(
    client: httpx.AsyncClient, merchant: Any, body: Any
) -> None:
    key = new_id("idem")
    first = await client.post("/v1/payments", json=body(), headers=keyed(merchant, key))
    retry = await client.post("/v1/payments", json=body(), headers=keyed(merchant, key))

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"


async def test_the_same_key_with_another_amount_is_refused(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    key = new_id("idem")
    await client.post("/v1/payments", json=body(amount=5_000), headers=keyed(merchant, key))
    before = await gateway.count("payments")

    reused = await client.post(
        "/v1/payments", json=body(amount=6_000), headers=keyed(merchant, key)
    )

    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert await gateway.count("payments") == before


async def test_keys_belong_to_one_merchant(
    client: httpx.AsyncClient, merchant: Any, other_merchant: Any, body: Any
) -> None:
    key = new_id("idem")
    mine = await client.post("/v1/payments", json=body(), headers=keyed(merchant, key))
    theirs = await client.post("/v1/payments", json=body(), headers=keyed(other_merchant, key))

    assert theirs.status_code == 201
    assert theirs.json()["id"] != mine.json()["id"]


async def test_a_refused_request_is_not_stored_and_can_be_corrected(
    client: httpx.AsyncClient, merchant: Any, body: Any
) -> None:
    key = new_id("idem")
    invalid = await client.post("/v1/payments", json=body(amount=-1), headers=keyed(merchant, key))
    too_small = await client.post("/v1/payments", json=body(amount=1), headers=keyed(merchant, key))
    fixed = await client.post("/v1/payments", json=body(), headers=keyed(merchant, key))

    assert (invalid.status_code, too_small.status_code, fixed.status_code) == (400, 400, 201)


async def test_a_key_longer_than_255_characters_is_refused(
    client: httpx.AsyncClient, merchant: Any, body: Any
) -> None:
    response = await client.post("/v1/payments", json=body(), headers=keyed(merchant, "k" * 256))

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "Idempotency-Key"


async def test_a_duplicate_while_the_first_still_waits_is_in_progress(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    key = new_id("idem")
    waiting = asyncio.create_task(
        client.post(
            "/v1/payments", json=body(), headers={**keyed(merchant, key), "Prefer": "wait=3"}
        )
    )
    async with asyncio.timeout(10):  # the first has committed and now waits
        while not await gateway.rows(
            "SELECT 1 FROM idempotency_keys WHERE key = :key AND status_code IS NOT NULL",
            key=key,
        ):
            await asyncio.sleep(0.05)

    duplicate = await client.post("/v1/payments", json=body(), headers=keyed(merchant, key))
    first = await waiting
    after = await client.post("/v1/payments", json=body(), headers=keyed(merchant, key))

    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "idempotency_request_in_progress"
    assert first.status_code == 201
    assert (after.status_code, after.json()) == (201, first.json())


async def test_refunds_and_captures_replay_too(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await captured(client, gateway, merchant, body)
    key = new_id("idem")
    refund = {"payment_id": payment["id"], "amount": 1_000}

    first = await client.post("/v1/refunds", json=refund, headers=keyed(merchant, key))
    again = await client.post("/v1/refunds", json=refund, headers=keyed(merchant, key))

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    rows = await gateway.rows("SELECT 1 FROM refunds WHERE payment_id = :id", id=payment["id"])
    assert len(rows) == 1


async def test_expired_keys_are_purged(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    old, fresh = new_id("idem"), new_id("idem")
    await client.post("/v1/payments", json=body(), headers=keyed(merchant, old))
    await client.post("/v1/payments", json=body(), headers=keyed(merchant, fresh))
    async with gateway.runtime.engine.begin() as connection:
        await connection.execute(
            text("UPDATE idempotency_keys SET created_at = :at WHERE key = :key"),
            {"at": utcnow() - timedelta(hours=25), "key": old},
        )

    async with gateway.unit_of_work() as uow:
        purged = await purge.purge_idempotency_keys(utcnow(), uow=uow)

    assert purged >= 1
    left = {r.key for r in await gateway.rows("SELECT key FROM idempotency_keys")}
    assert old not in left
    assert fresh in left


async def test_a_conflict_is_not_kept_and_the_key_stays_free(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await captured(client, gateway, merchant, body)
    key = new_id("idem")
    too_much = {"payment_id": payment["id"], "amount": payment["amount"] + 1}

    first = await client.post("/v1/refunds", json=too_much, headers=keyed(merchant, key))
    again = await client.post("/v1/refunds", json=too_much, headers=keyed(merchant, key))

    assert (first.status_code, again.status_code) == (409, 409)
    assert "Idempotent-Replayed" not in again.headers
    assert await gateway.rows("SELECT 1 FROM idempotency_keys WHERE key = :key", key=key) == []
    assert (
        await gateway.rows("SELECT 1 FROM refunds WHERE payment_id = :id", id=payment["id"]) == []
    )


async def test_a_capture_refused_while_the_read_model_lags_succeeds_under_the_same_key(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    created = await client.post(
        "/v1/payments", json=body(capture_method="manual"), headers=merchant.headers
    )
    payment = created.json()
    key = new_id("idem")
    url = f"/v1/payments/{payment['id']}/capture"

    early = await client.post(url, json={}, headers=keyed(merchant, key))
    assert (early.status_code, early.json()["error"]["code"]) == (409, "payment_not_capturable")
    state = PaymentSnapshot(
        payment_id=payment["id"],
        merchant_id=merchant.id,
        version=2,
        status="authorized",
        amount=payment["amount"],
        amount_capturable=payment["amount"],
        amount_captured=0,
        amount_refunded=0,
        currency="PHP",
        capture_method="manual",
        payment_method_type="card",
        provider="stripe",
        provider_reference="pi_1",
        failure=None,
        created_at=payment["created_at"],
        updated_at=payment["created_at"],
    )
    async with gateway.unit_of_work() as uow:
        await read_model.apply_payment_events([PaymentAuthorized(payment=state)], uow=uow)
        await uow.commit()

    later = await client.post(url, json={}, headers=keyed(merchant, key))
    replayed = await client.post(url, json={}, headers=keyed(merchant, key))

    assert later.status_code == 200, later.text
    assert "Idempotent-Replayed" not in later.headers
    assert (replayed.status_code, replayed.headers["Idempotent-Replayed"]) == (200, "true")
    assert replayed.json() == later.json()
    outbox = await gateway.rows("SELECT value FROM outbox WHERE key = :id", id=payment["id"])
    assert sum('"CapturePayment"' in row.value for row in outbox) == 1
