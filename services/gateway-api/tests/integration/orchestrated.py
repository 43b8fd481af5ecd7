"""What the orchestrator would say, fed straight to the gateway's read model, for
tests of how the gateway follows a payment (real app, real database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from gateway_api.admin import api_keys
from gateway_api.projection import read_model
from gateway_api.projection.consumer import dispatcher
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_common.consumer import Received
from payroute_common.envelope import Envelope
from payroute_common.messages import (
    PaymentAuthorized,
    PaymentCaptured,
    PaymentEvent,
    PaymentSnapshot,
)
from payroute_common.runtime import ServiceRuntime


def snapshot(payment: dict[str, Any], version: int, status: str, **changes: Any) -> PaymentSnapshot:
    created = datetime.fromisoformat(payment["created_at"])
    values: dict[str, Any] = {
        "payment_id": payment["id"],
        "merchant_id": payment["merchant_id"],
        "version": version,
        "status": status,
        "amount": payment["amount"],
        "amount_capturable": 0,
        "amount_captured": 0,
        "amount_refunded": 0,
        "currency": payment["currency"],
        "capture_method": payment["capture_method"],
        "payment_method_type": payment["payment_method"]["type"],
        "provider": "stripe",
        "provider_reference": "pi_1",
        "failure": None,
        "created_at": created,
        "updated_at": created + timedelta(seconds=version),
    }
    values.update(changes)
    return PaymentSnapshot.model_validate(values)


async def orchestrator_says(gateway: Any, *events: PaymentEvent) -> None:
    async with gateway.unit_of_work() as uow:
        await read_model.apply_payment_events(events, uow=uow)
        await uow.commit()


async def create(client: httpx.AsyncClient, merchant: Any, body: Any, **changes: Any) -> Any:
    response = await client.post("/v1/payments", json=body(**changes), headers=merchant.headers)
    assert response.status_code == 201, response.text
    return {**response.json(), "merchant_id": merchant.id}


async def authorized(client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any) -> Any:
    payment = await create(client, merchant, body, amount=10_000, capture_method="manual")
    await orchestrator_says(
        gateway,
        PaymentAuthorized(payment=snapshot(payment, 2, "authorized", amount_capturable=10_000)),
    )
    return payment


async def captured(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any, amount: int = 10_000
) -> Any:
    payment = await create(client, merchant, body, amount=10_000)
    await orchestrator_says(
        gateway, PaymentCaptured(payment=snapshot(payment, 2, "captured", amount_captured=amount))
    )
    return payment


async def commands(gateway: Any, payment_id: str) -> list[str]:
    rows = await gateway.rows("SELECT value FROM outbox WHERE key = :id ORDER BY id", id=payment_id)
    return [Envelope.model_validate_json(row.value).event_type for row in rows]


async def operator_headers(gateway: Any, merchant: Any) -> dict[str, str]:
    async with gateway.unit_of_work() as uow:
        issued = await api_keys.create_api_key(merchant.id, "operator", uow=uow)
    return {"Authorization": f"Bearer {issued.secret}"}


async def consume(runtime: ServiceRuntime, batch: Sequence[Received]) -> None:
    """`batch` through the gateway's payment-events consumer, as the broker would hand it."""
    await dispatcher(lambda: runtime.unit_of_work(GatewayUnitOfWork))(batch)
