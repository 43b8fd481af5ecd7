"""Bad requests get Stripe-style error objects, and nothing is written or published."""

from typing import Any

import httpx
import pytest

from gateway_api.payments.rules import METADATA_MAX_KEYS

METADATA_OVER_KEYS = {f"k{i}": "v" for i in range(METADATA_MAX_KEYS + 1)}

INVALID = [
    # (changes to a valid body, param, code)
    ({"amount": -100}, "amount", "parameter_invalid"),
    ({"amount": 0}, "amount", "parameter_invalid"),
    ({"amount": 10.5}, "amount", "parameter_invalid"),
    ({"amount": 100.0}, "amount", "parameter_invalid"),
    ({"amount": "100"}, "amount", "parameter_invalid"),
    ({"amount": True}, "amount", "parameter_invalid"),
    ({"amount": 10**13}, "amount", "parameter_invalid"),
    ({"amount": None}, "amount", "parameter_invalid"),
    ({"currency": "XYZ"}, "currency", "parameter_invalid"),
    ({"currency": "PESO"}, "currency", "parameter_invalid"),
    ({"capture_method": "later"}, "capture_method", "parameter_invalid"),
    ({"payment_method": {"type": "bitcoin"}}, "payment_method[type]", "parameter_invalid"),
    ({"payment_method": {}}, "payment_method[type]", "parameter_missing"),
    (
        {"payment_method": {"type": "card", "cvc": "123"}},
        "payment_method[cvc]",
        "parameter_unknown",
    ),
    ({"metadata": METADATA_OVER_KEYS}, "metadata", "metadata_too_many_keys"),
    ({"metadata": {"k" * 41: "v"}}, "metadata", "metadata_key_too_long"),
    ({"metadata": {"colour": "v" * 501}}, "metadata", "metadata_value_too_long"),
    ({"metadata": {"payment_id": "pay_1"}}, "metadata", "metadata_key_reserved"),
    ({"metadata": {"attempt_id": "x"}}, "metadata", "metadata_key_reserved"),
    ({"metadata": {"traceparent": "x"}}, "metadata", "metadata_key_reserved"),
    ({"metadata": {"": "x"}}, "metadata", "metadata_key_invalid"),
    ({"payment_method": {"type": "gcash"}}, "return_url", "parameter_missing"),
    ({"payment_method": {"type": "maya"}}, "return_url", "parameter_missing"),
    ({"payment_method": {"type": "paymongo"}}, "return_url", "parameter_missing"),
    ({"metadata": {"count": 3}}, "metadata[count]", "parameter_invalid"),
    ({"metadata": ["a"]}, "metadata", "parameter_invalid"),
    ({"return_url": "javascript:alert(1)"}, "return_url", "parameter_invalid"),
    ({"ammount": 100}, "ammount", "parameter_unknown"),
]


@pytest.mark.parametrize(("changes", "param", "code"), INVALID)
async def test_invalid_parameters_are_named_in_a_400(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: Any,
    store: Any,
    changes: dict[str, Any],
    param: str,
    code: str,
) -> None:
    response = await client.post("/v1/payments", json=body(**changes), headers=headers)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == code
    assert error["param"] == param
    assert param.split("[", maxsplit=1)[0] in error["message"]
    assert store.payments == {}
    assert store.published == []


@pytest.mark.parametrize("missing", ["amount", "currency", "payment_method"])
async def test_a_missing_required_parameter_is_parameter_missing(
    client: httpx.AsyncClient, headers: dict[str, str], body: Any, missing: str
) -> None:
    payload = body()
    del payload[missing]

    response = await client.post("/v1/payments", json=payload, headers=headers)

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "parameter_missing",
            "message": f"Missing required param: {missing}.",
            "param": missing,
        }
    }


async def test_unknown_currency_message_says_what_to_send(
    client: httpx.AsyncClient, headers: dict[str, str], body: Any
) -> None:
    response = await client.post("/v1/payments", json=body(currency="XYZ"), headers=headers)

    assert "ISO 4217" in response.json()["error"]["message"]


async def test_malformed_json_is_a_400_without_param(
    client: httpx.AsyncClient, headers: dict[str, str], store: Any
) -> None:
    response = await client.post(
        "/v1/payments",
        content=b'{"amount": 100,',
        headers={**headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "json_invalid"
    assert "param" not in error
    assert store.published == []


@pytest.mark.parametrize("content", [b"[1, 2]", b'"text"', b""])
async def test_a_body_that_is_not_an_object_is_a_400(
    client: httpx.AsyncClient, headers: dict[str, str], content: bytes
) -> None:
    response = await client.post(
        "/v1/payments", content=content, headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert "param" not in response.json()["error"]


async def test_a_body_over_the_limit_is_a_413(
    client: httpx.AsyncClient, headers: dict[str, str], body: Any, store: Any
) -> None:
    payload = body(description="x" * 5000)

    response = await client.post("/v1/payments", json=payload, headers=headers)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert response.headers["x-request-id"]
    assert store.opened == 0


async def test_a_chunked_body_over_the_limit_is_a_413(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b" " * 1000

    response = await client.post(
        "/v1/payments", content=chunks(), headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 413


async def test_lowercase_currency_is_accepted_and_normalized(
    client: httpx.AsyncClient, headers: dict[str, str], body: Any
) -> None:
    response = await client.post("/v1/payments", json=body(currency="php"), headers=headers)

    assert response.status_code == 201
    assert response.json()["currency"] == "PHP"


async def test_metadata_at_the_limits_is_accepted(
    client: httpx.AsyncClient, headers: dict[str, str], body: Any
) -> None:
    metadata = {f"{i:02d}".ljust(40, "k"): "v" for i in range(METADATA_MAX_KEYS)}
    metadata["00".ljust(40, "k")] = "v" * 500

    response = await client.post("/v1/payments", json=body(metadata=metadata), headers=headers)

    assert response.status_code == 201
    assert response.json()["metadata"] == metadata
    assert METADATA_MAX_KEYS == 47  # Stripe's 50 less payment_id, attempt_id and traceparent


async def test_a_wallet_payment_with_a_return_url_is_accepted(
    client: httpx.AsyncClient, headers: dict[str, str], body: Any, store: Any
) -> None:
    wallet = body(payment_method={"type": "gcash"}, return_url="https://shop.example/back")

    response = await client.post("/v1/payments", json=wallet, headers=headers)

    assert response.status_code == 201, response.text
    assert response.json()["payment_method"]["type"] == "gcash"
