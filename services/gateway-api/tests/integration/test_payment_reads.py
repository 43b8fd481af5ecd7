"""What merchants read back: timeline, isolation between merchants, revoked keys, pages,
`Prefer: wait`, and the payment object's details (real app, real database).

The orchestrator is simulated by feeding events to `read_model.apply_payment_events`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from gateway_api.admin import api_keys
from payroute_common.messages import (
    PaymentCaptured,
    PaymentCreated,
)
from payroute_common.messages.payment_events import RefundSucceeded
from payroute_common.messages.values import RefundSnapshot

from .orchestrated import (
    authorized,
    captured,
    commands,
    create,
    orchestrator_says,
    snapshot,
)

pytestmark = pytest.mark.integration


async def test_a_refund_event_moves_the_refund_and_the_timeline_records_everything(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await captured(client, gateway, merchant, body)
    refund = (
        await client.post(
            "/v1/refunds",
            json={"payment_id": payment["id"], "amount": 4_000},
            headers=merchant.headers,
        )
    ).json()
    now = datetime.now(UTC)
    refund_snapshot = RefundSnapshot(
        refund_id=refund["id"],
        payment_id=payment["id"],
        merchant_id=merchant.id,
        amount=4_000,
        currency="PHP",
        reason=None,
        status="succeeded",
        provider="stripe",
        provider_reference="re_stripe_1",
        failure=None,
        created_at=now,
        updated_at=now,
    )
    await orchestrator_says(
        gateway,
        PaymentCreated(payment=snapshot(payment, 1, "processing"), reason="routed to stripe"),
        RefundSucceeded(
            payment=snapshot(
                payment, 3, "partially_refunded", amount_captured=10_000, amount_refunded=4_000
            ),
            refund=refund_snapshot,
        ),
    )

    fetched = await client.get(f"/v1/refunds/{refund['id']}", headers=merchant.headers)
    timeline = await client.get(f"/v1/payments/{payment['id']}/events", headers=merchant.headers)

    assert fetched.json()["status"] == "succeeded"
    events = timeline.json()["data"]
    assert [(e["type"], e["version"]) for e in events] == [
        ("PaymentCreated", 1),
        ("PaymentCaptured", 2),
        ("RefundSucceeded", 3),
    ]
    assert events[0]["reason"] == "routed to stripe"
    assert (events[2]["refund_id"], events[2]["refund_amount"]) == (refund["id"], 4_000)


async def test_another_merchant_sees_none_of_it(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, other_merchant: Any, body: Any
) -> None:
    payment = await captured(client, gateway, merchant, body)
    refund = (
        await client.post(
            "/v1/refunds", json={"payment_id": payment["id"]}, headers=merchant.headers
        )
    ).json()
    theirs = other_merchant.headers

    answers = [
        await client.get(f"/v1/payments/{payment['id']}", headers=theirs),
        await client.get(f"/v1/refunds/{refund['id']}", headers=theirs),
        await client.get(f"/v1/payments/{payment['id']}/events", headers=theirs),
        await client.get(f"/v1/refunds?payment_id={payment['id']}", headers=theirs),
        await client.post(f"/v1/payments/{payment['id']}/cancel", headers=theirs),
        await client.post("/v1/refunds", json={"payment_id": payment["id"]}, headers=theirs),
    ]

    assert [a.status_code for a in answers] == [404] * 6
    assert {a.json()["error"]["code"] for a in answers} == {"resource_missing"}


async def test_a_revoked_key_is_refused(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    async with gateway.unit_of_work() as uow:
        await api_keys.revoke_api_key(merchant.key_id, uow=uow)

    response = await client.post("/v1/payments", json=body(), headers=merchant.headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "api_key_invalid"


async def test_list_pages_newest_first_with_filters(
    client: httpx.AsyncClient, merchant: Any, other_merchant: Any, body: Any
) -> None:
    ids = [(await create(client, merchant, body, order_id="ord-list"))["id"] for _ in range(3)]
    await create(client, merchant, body, order_id="ord-other")
    await create(client, other_merchant, body, order_id="ord-list")

    first = await client.get(
        "/v1/payments", params={"order_id": "ord-list", "limit": 2}, headers=merchant.headers
    )
    page = first.json()
    second = await client.get(
        "/v1/payments",
        params={"order_id": "ord-list", "limit": 2, "starting_after": page["data"][-1]["id"]},
        headers=merchant.headers,
    )

    assert (page["object"], page["has_more"], page["url"]) == ("list", True, "/v1/payments")
    assert second.json()["has_more"] is False
    assert [p["id"] for p in page["data"] + second.json()["data"]] == ids[::-1]
    assert (await client.get("/v1/payments?limit=0", headers=merchant.headers)).status_code == 400
    future = await client.get(
        "/v1/payments",
        params={"created[gte]": "2999-01-01T00:00:00Z"},
        headers=merchant.headers,
    )
    assert future.json()["data"] == []


async def test_prefer_wait_on_capture_answers_when_the_orchestrator_does(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await authorized(client, gateway, merchant, body)
    waiters = gateway.app.state.payment_waiters
    listener = asyncio.create_task(waiters.listen(gateway.database_url.replace("+asyncpg", "")))
    try:
        await asyncio.wait_for(waiters.listening.wait(), 10)
        capture = asyncio.create_task(
            client.post(
                f"/v1/payments/{payment['id']}/capture",
                headers={**merchant.headers, "Prefer": "wait=10"},
            )
        )
        # Answer only once the capture is staged (its command is in the outbox).
        async with asyncio.timeout(10):
            while "CapturePayment" not in await commands(gateway, payment["id"]):
                await asyncio.sleep(0.05)
        await orchestrator_says(
            gateway,
            PaymentCaptured(payment=snapshot(payment, 3, "captured", amount_captured=10_000)),
        )
        response = await capture
    finally:
        listener.cancel()

    assert response.status_code == 200
    assert response.json()["status"] == "captured"


async def test_prefer_wait_on_a_refund_answers_when_it_leaves_pending(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await captured(client, gateway, merchant, body)
    waiters = gateway.app.state.payment_waiters
    listener = asyncio.create_task(waiters.listen(gateway.database_url.replace("+asyncpg", "")))
    try:
        await asyncio.wait_for(waiters.listening.wait(), 10)
        refund = asyncio.create_task(
            client.post(
                "/v1/refunds",
                json={"payment_id": payment["id"], "amount": 2_500},
                headers={**merchant.headers, "Prefer": "wait=10"},
            )
        )
        async with asyncio.timeout(10):
            while not (
                rows := await gateway.rows(
                    "SELECT id FROM refunds WHERE payment_id = :id", id=payment["id"]
                )
            ):
                await asyncio.sleep(0.05)
        now = datetime.now(UTC)
        await orchestrator_says(
            gateway,
            RefundSucceeded(
                payment=snapshot(
                    payment, 3, "partially_refunded", amount_captured=10_000, amount_refunded=2_500
                ),
                refund=RefundSnapshot(
                    refund_id=rows[0].id,
                    payment_id=payment["id"],
                    merchant_id=merchant.id,
                    amount=2_500,
                    currency="PHP",
                    reason=None,
                    status="succeeded",
                    provider="stripe",
                    provider_reference="re_x",
                    failure=None,
                    created_at=now,
                    updated_at=now,
                ),
            ),
        )
        response = await refund
    finally:
        listener.cancel()

    assert response.status_code == 201
    assert response.json()["status"] == "succeeded"
    assert response.headers["Preference-Applied"] == "wait=10"


async def test_the_payment_shows_fees_attempts_next_action_and_verification_expiry(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await create(client, merchant, body, amount=10_000)
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    await orchestrator_says(
        gateway,
        PaymentCaptured(
            payment=snapshot(
                payment,
                2,
                "captured",
                amount_captured=10_000,
                fees={"provider_fee": 320, "platform_fee": 300, "net": 9_380},
                attempts=[
                    {
                        "attempt_id": "att_1",
                        "provider": "paymongo",
                        "outcome": "failed",
                        "error_code": "timeout",
                        "latency_ms": 5_000,
                    },
                    {"attempt_id": "att_2", "provider": "stripe", "outcome": "succeeded"},
                ],
                next_action={"redirect_url": "https://example.test/3ds"},
                verification_expires_at=expires,
            )
        ),
    )

    shown = (await client.get(f"/v1/payments/{payment['id']}", headers=merchant.headers)).json()

    assert shown["fees"] == {"provider_fee": 320, "platform_fee": 300, "net": 9_380}
    assert [(a["provider"], a["outcome"]) for a in shown["attempts"]] == [
        ("paymongo", "failed"),
        ("stripe", "succeeded"),
    ]
    assert shown["attempts"][0]["error_code"] == "timeout"
    assert shown["next_action"] == {
        "type": "redirect_to_url",
        "redirect_url": "https://example.test/3ds",
    }
    assert datetime.fromisoformat(shown["verification_expires_at"]) == expires
