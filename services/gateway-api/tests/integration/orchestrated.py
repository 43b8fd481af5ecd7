"""What the orchestrator would say, fed straight to the gateway's read model, for
tests of how the gateway follows a payment (real app, real database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from gateway_api.projection import read_model
from payroute_common.messages import PaymentEvent, PaymentSnapshot


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
