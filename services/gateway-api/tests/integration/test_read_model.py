"""payment.events move the read model forward, never backwards, once per event."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from payroute_common.consumer import Received
from payroute_common.envelope import Envelope
from payroute_common.ids import new_id
from payroute_common.messages import (
    PaymentCaptured,
    PaymentCreated,
    PaymentEvent,
    PaymentFailed,
    PaymentFailure,
    PaymentSnapshot,
)

from .orchestrated import consume

pytestmark = pytest.mark.integration


def snapshot(payment: dict[str, Any], version: int, status: str, **changes: Any) -> PaymentSnapshot:
    values: dict[str, Any] = {
        "payment_id": payment["id"],
        "merchant_id": payment["merchant_id"],
        "version": version,
        "status": status,
        "amount": payment["amount"],
        "amount_capturable": 0,
        "amount_captured": payment["amount"] if status == "captured" else 0,
        "amount_refunded": 0,
        "currency": payment["currency"],
        "capture_method": "automatic",
        "payment_method_type": "card",
        "provider": "stripe",
        "provider_reference": f"pi_{version}",
        "failure": None,
        "created_at": payment["created_at"],
        "updated_at": payment["created_at"] + timedelta(seconds=version),
    }
    values.update(changes)
    return PaymentSnapshot.model_validate(values)


def received(event: PaymentEvent, event_id: Any = None) -> Received:
    envelope = Envelope.wrap(
        event,
        producer="orchestrator",
        tenant_id=event.payment.merchant_id,
        aggregate_id=event.payment.payment_id,
    )
    if event_id is not None:
        envelope = envelope.model_copy(update={"event_id": event_id})
    return Received(envelope=envelope, message=event, record=None)  # type: ignore[arg-type]


async def created_payment(client: httpx.AsyncClient, merchant: Any, body: Any) -> dict[str, Any]:
    response = await client.post("/v1/payments", json=body(), headers=merchant.headers)
    assert response.status_code == 201
    payment = response.json()
    return {**payment, "merchant_id": merchant.id, "created_at": _parse(payment["created_at"])}


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def state(client: httpx.AsyncClient, merchant: Any, payment_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/payments/{payment_id}", headers=merchant.headers)
    assert response.status_code == 200
    return dict(response.json())


async def test_a_newer_snapshot_moves_the_payment_forward(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await created_payment(client, merchant, body)

    await consume(
        gateway.runtime,
        [
            received(PaymentCreated(payment=snapshot(payment, 1, "processing"), reason="routed")),
            received(PaymentCaptured(payment=snapshot(payment, 2, "captured"))),
        ],
    )

    now = await state(client, merchant, payment["id"])
    assert now["status"] == "captured"
    assert now["amount_captured"] == payment["amount"]
    assert (now["provider"], now["provider_reference"]) == ("stripe", "pi_2")
    assert now["payment_method"] == {"type": "card", "token": "pm_card_visa"}  # kept
    (row,) = await gateway.rows("SELECT version FROM payments WHERE id = :id", id=payment["id"])
    assert row.version == 2


async def test_older_or_equal_versions_change_nothing(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await created_payment(client, merchant, body)
    await consume(
        gateway.runtime, [received(PaymentCaptured(payment=snapshot(payment, 3, "captured")))]
    )
    before = await state(client, merchant, payment["id"])

    failure = PaymentFailure(code="card_declined", message="late news")
    await consume(
        gateway.runtime,
        [
            received(PaymentCreated(payment=snapshot(payment, 1, "processing"), reason="late")),
            received(PaymentFailed(payment=snapshot(payment, 3, "failed", failure=failure))),
        ],
    )

    assert await state(client, merchant, payment["id"]) == before
    (row,) = await gateway.rows("SELECT version FROM payments WHERE id = :id", id=payment["id"])
    assert row.version == 3


async def test_a_redelivered_event_is_applied_once(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await created_payment(client, merchant, body)
    event_id = Envelope.wrap(
        PaymentCaptured(payment=snapshot(payment, 1, "captured")),
        producer="orchestrator",
        tenant_id=merchant.id,
        aggregate_id=payment["id"],
    ).event_id
    await consume(
        gateway.runtime,
        [received(PaymentCaptured(payment=snapshot(payment, 1, "captured")), event_id)],
    )

    # The same event id carrying (impossibly) newer news: the inbox says it is done.
    failure = PaymentFailure(code="x", message="y")
    await consume(
        gateway.runtime,
        [
            received(
                PaymentFailed(payment=snapshot(payment, 5, "failed", failure=failure)), event_id
            )
        ],
    )

    assert (await state(client, merchant, payment["id"]))["status"] == "captured"
    rows = await gateway.rows(
        "SELECT 1 FROM inbox WHERE consumer = 'gateway-api' AND event_id = :id", id=event_id
    )
    assert len(rows) == 1


async def test_a_failure_snapshot_shows_the_failure(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await created_payment(client, merchant, body)
    failure = PaymentFailure(
        code="card_declined", message="declined", decline_code="generic_decline"
    )

    await consume(
        gateway.runtime,
        [received(PaymentFailed(payment=snapshot(payment, 1, "failed", failure=failure)))],
    )

    now = await state(client, merchant, payment["id"])
    assert now["status"] == "failed"
    assert now["failure"] == failure.model_dump()


async def test_a_payment_the_gateway_never_saw_is_added_to_the_read_model(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    template = await created_payment(client, merchant, body)
    unseen = {**template, "id": new_id("pay")}

    await consume(
        gateway.runtime, [received(PaymentCaptured(payment=snapshot(unseen, 2, "captured")))]
    )

    now = await state(client, merchant, unseen["id"])
    assert now["status"] == "captured"
    assert now["payment_method"] == {"type": "card", "token": None}
    assert now["metadata"] == {}


async def test_a_waiting_request_is_woken_by_the_committed_change(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    payment = await created_payment(client, merchant, body)
    waiters = gateway.app.state.payment_waiters
    dsn = gateway.database_url.replace("postgresql+asyncpg://", "postgresql://")
    listener = asyncio.create_task(waiters.listen(dsn))
    try:
        async with waiters.woken_on_change(payment["id"]) as changed:
            await asyncio.sleep(0.2)  # the listener connects
            changed.clear()
            await consume(
                gateway.runtime,
                [received(PaymentCaptured(payment=snapshot(payment, 1, "captured")))],
            )
            await asyncio.wait_for(changed.wait(), 5)
        waiting = await client.get(
            f"/v1/payments/{payment['id']}", headers={**merchant.headers, "Prefer": "wait=5"}
        )
        assert waiting.json()["status"] == "captured"
    finally:
        listener.cancel()
