"""POST/GET /v1/payments through the real app and the real database."""

import json
from typing import Any

import httpx
import pytest

from gateway_api.admin import api_keys
from payroute_common.envelope import Envelope
from payroute_common.messages import CreatePayment

pytestmark = pytest.mark.integration


async def test_create_writes_the_row_and_one_outbox_row_in_one_transaction(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    response = await client.post(
        "/v1/payments",
        json=body(order_id="ord-7", metadata={"cart": "42"}, provider="stripe"),
        headers=merchant.headers,
    )

    assert response.status_code == 201
    payment = response.json()
    (row,) = await gateway.rows(
        "SELECT *, xmin::text AS tx FROM payments WHERE id = :id", id=payment["id"]
    )
    assert (row.merchant_id, row.status, row.version) == (merchant.id, "processing", 0)
    assert (row.amount, row.currency, row.order_id) == (10_050, "PHP", "ord-7")
    assert row.metadata == {"cart": "42"}
    assert row.failure is None
    (message,) = await gateway.rows(
        "SELECT *, xmin::text AS tx FROM outbox WHERE key = :id", id=payment["id"]
    )
    assert message.tx == row.tx  # the same transaction wrote both
    assert message.topic == "payment.commands"
    envelope = Envelope.model_validate_json(message.value)
    assert envelope.event_type == "CreatePayment"
    assert (envelope.tenant_id, envelope.producer, envelope.aggregate_id) == (
        merchant.id,
        "gateway-api",
        payment["id"],
    )
    command = CreatePayment.model_validate(envelope.payload)
    assert (command.payment_id, command.merchant_id, command.provider) == (
        payment["id"],
        merchant.id,
        "stripe",
    )


async def test_get_answers_the_same_payment_object(
    client: httpx.AsyncClient, merchant: Any, body: Any
) -> None:
    created = (await client.post("/v1/payments", json=body(), headers=merchant.headers)).json()

    fetched = await client.get(f"/v1/payments/{created['id']}", headers=merchant.headers)

    assert fetched.status_code == 200
    assert fetched.json() == created


@pytest.mark.parametrize(
    ("request_args", "status"),
    [
        ({"json": {"amount": -1, "currency": "PHP", "payment_method": {"type": "card"}}}, 400),
        ({"json": {"amount": 1.5, "currency": "PHP", "payment_method": {"type": "card"}}}, 400),
        ({"json": {"amount": 100, "currency": "XYZ", "payment_method": {"type": "card"}}}, 400),
        (
            {
                "json": {
                    "amount": 100,
                    "currency": "PHP",
                    "payment_method": {"type": "card"},
                    "metadata": {str(i): "v" for i in range(51)},
                }
            },
            400,
        ),
        ({"content": b'{"amount": ', "headers": {"Content-Type": "application/json"}}, 400),
        ({"content": json.dumps({"description": "x" * 70_000}).encode()}, 413),
    ],
)
async def test_bad_input_writes_nothing(
    client: httpx.AsyncClient,
    gateway: Any,
    merchant: Any,
    request_args: dict[str, Any],
    status: int,
) -> None:
    before = (await gateway.count("payments"), await gateway.count("outbox"))
    headers = {**merchant.headers, **request_args.pop("headers", {})}

    response = await client.post("/v1/payments", headers=headers, **request_args)

    assert response.status_code == status
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert (await gateway.count("payments"), await gateway.count("outbox")) == before


async def test_a_foreign_payment_is_404_exactly_like_a_missing_one(
    client: httpx.AsyncClient, merchant: Any, other_merchant: Any, body: Any
) -> None:
    created = (await client.post("/v1/payments", json=body(), headers=merchant.headers)).json()

    foreign = await client.get(f"/v1/payments/{created['id']}", headers=other_merchant.headers)
    missing = await client.get("/v1/payments/pay_missing", headers=other_merchant.headers)

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": f"No such payment: '{created['id']}'",
        }
    }
    assert missing.json()["error"] == {
        **foreign.json()["error"],
        "message": "No such payment: 'pay_missing'",
    }


async def test_a_revoked_key_is_401(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    assert (
        await client.post("/v1/payments", json=body(), headers=merchant.headers)
    ).status_code == 201
    async with gateway.unit_of_work() as uow:
        await api_keys.revoke_api_key(merchant.key_id, uow=uow)
    before = await gateway.count("outbox")

    response = await client.post("/v1/payments", json=body(), headers=merchant.headers)

    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"
    assert await gateway.count("outbox") == before
