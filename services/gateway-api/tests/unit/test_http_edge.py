"""Authentication, tenancy, error shapes and OpenAPI at the HTTP edge (no I/O)."""

from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway_api.domain import new_secret
from payroute_common.clock import utcnow


async def test_create_answers_201_with_the_payment_object(
    client: httpx.AsyncClient, headers: dict[str, str], body: Any, store: Any
) -> None:
    response = await client.post(
        "/v1/payments",
        json=body(order_id="ord_1", metadata={"cart": "42"}, capture_method="manual"),
        headers=headers,
    )

    assert response.status_code == 201
    payment = response.json()
    assert payment["id"].startswith("pay_")
    assert payment == {
        "id": payment["id"],
        "object": "payment",
        "status": "processing",
        "amount": 10_050,
        "amount_capturable": 0,
        "amount_captured": 0,
        "amount_refunded": 0,
        "currency": "PHP",
        "capture_method": "manual",
        "payment_method": {"type": "card", "token": "pm_card_visa"},
        "provider": None,
        "provider_reference": None,
        "fees": None,
        "attempts": [],
        "failure": None,
        "next_action": None,
        "verification_expires_at": None,
        "dispute": None,
        "order_id": "ord_1",
        "customer_id": None,
        "description": None,
        "metadata": {"cart": "42"},
        "created_at": payment["created_at"],
        "updated_at": payment["updated_at"],
    }
    assert datetime.fromisoformat(payment["created_at"]).tzinfo is not None
    assert list(store.payments) == [payment["id"]]
    assert len(store.published) == 1


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "api_key_missing"),
        ("Bearer ", "api_key_missing"),
        ("Basic dXNlcjpwYXNz", "api_key_missing"),
        ("Bearer sk_not_a_real_key", "api_key_invalid"),
        ("Bearer " + new_secret(), "api_key_invalid"),
    ],
)
async def test_missing_or_unknown_keys_are_401(
    client: httpx.AsyncClient, body: Any, store: Any, authorization: str | None, code: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = await client.post("/v1/payments", json=body(), headers=headers)

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "authentication_error"
    assert error["code"] == code
    assert store.published == []


async def test_the_401_never_echoes_the_whole_key(client: httpx.AsyncClient, body: Any) -> None:
    secret = new_secret()

    response = await client.post(
        "/v1/payments", json=body(), headers={"Authorization": f"Bearer {secret}"}
    )

    assert secret not in response.text
    assert secret[-4:] in response.json()["error"]["message"]


async def test_authentication_is_checked_before_the_body(
    client: httpx.AsyncClient, body: Any
) -> None:
    response = await client.post("/v1/payments", json=body(amount=-1))

    assert response.status_code == 401


async def test_a_revoked_key_is_401(
    client: httpx.AsyncClient, store: Any, secret: str, headers: dict[str, str], body: Any
) -> None:
    (key_id,) = store.keys
    store.keys[key_id] = replace(store.keys[key_id], revoked_at=utcnow())

    response = await client.post("/v1/payments", json=body(), headers=headers)

    assert response.status_code == 401


async def test_another_merchants_payment_is_as_missing_as_an_unknown_one(
    client: httpx.AsyncClient, store: Any, headers: dict[str, str], body: Any
) -> None:
    created = (await client.post("/v1/payments", json=body(), headers=headers)).json()
    _, other_secret = store.add_merchant()
    other = {"Authorization": f"Bearer {other_secret}"}

    foreign = await client.get(f"/v1/payments/{created['id']}", headers=other)
    unknown = await client.get("/v1/payments/pay_unknown", headers=other)
    own = await client.get(f"/v1/payments/{created['id']}", headers=headers)

    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["error"] == {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "message": f"No such payment: '{created['id']}'",
    }
    assert unknown.json()["error"]["message"] == "No such payment: 'pay_unknown'"
    assert own.status_code == 200
    assert own.json() == created


async def test_unknown_urls_and_methods_answer_in_the_error_shape(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    missing = await client.get("/v1/nothing-here", headers=headers)
    wrong_method = await client.delete("/v1/payments", headers=headers)

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


async def test_an_unexpected_failure_is_a_500_without_a_stack_trace(
    client: httpx.AsyncClient, store: Any, headers: dict[str, str], body: Any
) -> None:
    store.fail_with = RuntimeError("secret internals at /srv/app.py line 12")

    response = await client.post(
        "/v1/payments", json=body(), headers={**headers, "X-Request-ID": "req-42"}
    )

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "type": "api_error",
            "code": "internal_error",
            "message": "An unexpected error occurred.",
        }
    }
    assert response.headers["x-request-id"] == "req-42"


async def test_every_answer_carries_a_request_id(
    client: httpx.AsyncClient, headers: dict[str, str], body: Any
) -> None:
    ok = await client.post("/v1/payments", json=body(), headers=headers)
    bad = await client.post("/v1/payments", json=body(amount=0), headers=headers)
    unauthenticated = await client.get("/v1/payments/pay_1")

    for response in (ok, bad, unauthenticated):
        assert response.headers["x-request-id"]


async def test_openapi_describes_the_models_and_the_errors(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    spec = (await client.get("/openapi.json")).json()
    create = spec["paths"]["/v1/payments"]["post"]
    retrieve = spec["paths"]["/v1/payments/{payment_id}"]["get"]

    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/CreatePaymentRequest"
    )
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PaymentObject"
    )
    assert {"400", "401", "413"} <= set(create["responses"])
    assert "404" in retrieve["responses"]
    assert "422" not in create["responses"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert (await client.get("/docs")).status_code == 200
