"""Bad requests to POST /v1/payments: each gets a clear 4xx error object and writes nothing.

Real app, real database: every case counts the rows in `payments` and `outbox`
before and after.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

PAYMENTS = "/v1/payments"
VALID = {
    "amount": 10_050,
    "currency": "PHP",
    "payment_method": {"type": "card", "token": "pm_card_visa"},
}


def with_(**changes: Any) -> dict[str, Any]:
    return {**VALID, **changes}


async def refused(
    client: httpx.AsyncClient,
    gateway: Any,
    *,
    status: int,
    code: str | None = None,
    param: str | None = None,
    **request: Any,
) -> dict[str, Any]:
    """Send one request; assert the refusal shape and that nothing was written."""
    before = (await gateway.count("payments"), await gateway.count("outbox"))

    response = await client.post(PAYMENTS, **request)

    assert response.status_code == status, response.text
    assert response.headers["x-request-id"]
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) <= {"type", "code", "message", "param"}
    assert error["type"] == "invalid_request_error"
    assert error["message"].strip()
    assert "Traceback" not in error["message"]
    if code is not None:
        assert error["code"] == code
    if param is not None:
        assert error.get("param") == param
    assert (await gateway.count("payments"), await gateway.count("outbox")) == before
    return dict(error)


@pytest.mark.parametrize(
    "amount",
    [-1, 0, 10.5, 100.0, "10050", "ten", None, True, 10**12, 10**30, [10_050]],
    ids=str,
)
async def test_bad_amounts(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, amount: Any
) -> None:
    await refused(
        client,
        gateway,
        status=400,
        param="amount",
        json=with_(amount=amount),
        headers=merchant.headers,
    )


@pytest.mark.parametrize(
    ("currency", "amount", "code"),
    [
        ("PHP", 1_999, "amount_too_small"),  # PHP 19.99 < PHP 20.00
        ("PHP", 10_000_001, "amount_too_large"),  # > PHP 100,000.00
        ("JPY", 49, "amount_too_small"),
        ("KWD", 6_000_001, "amount_too_large"),
    ],
)
async def test_amounts_outside_the_currency_limits(
    client: httpx.AsyncClient,
    gateway: Any,
    merchant: Any,
    currency: str,
    amount: int,
    code: str,
) -> None:
    error = await refused(
        client,
        gateway,
        status=400,
        code=code,
        param="amount",
        json=with_(amount=amount, currency=currency),
        headers=merchant.headers,
    )
    assert currency in error["message"]


@pytest.mark.parametrize("currency", ["XXX", "xxx", "ph", "PHPP", "", "₱HP", 608, None])
async def test_unknown_currencies(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, currency: Any
) -> None:
    await refused(
        client,
        gateway,
        status=400,
        param="currency",
        json=with_(currency=currency),
        headers=merchant.headers,
    )


@pytest.mark.parametrize(
    ("metadata", "param"),
    [
        ({f"k{i}": "v" for i in range(51)}, "metadata"),
        ({"k" * 41: "v"}, "metadata"),  # limits: see test_operation_outcomes for their codes
        ({"": "v"}, "metadata"),
        ({"colour": "v" * 501}, "metadata"),
        ({"colour": 1}, "metadata[colour]"),
        ({"colour": None}, "metadata[colour]"),
        ({"colour": {"nested": "x"}}, "metadata[colour]"),
        ({"colour": ["red"]}, "metadata[colour]"),
        (["colour"], "metadata"),
    ],
    ids=[
        "too-many-keys",
        "long-key",
        "empty-key",
        "long-value",
        "int",
        "null",
        "obj",
        "list",
        "array",
    ],
)
async def test_oversized_or_malformed_metadata(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, metadata: Any, param: str
) -> None:
    await refused(
        client,
        gateway,
        status=400,
        param=param,
        json=with_(metadata=metadata),
        headers=merchant.headers,
    )


@pytest.mark.parametrize(
    "content", [b'{"amount": ', b"{'amount': 1}", b"amount=1", b"\xff\xfe", b""], ids=str
)
async def test_malformed_json(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, content: bytes
) -> None:
    headers = {**merchant.headers, "Content-Type": "application/json"}
    await refused(client, gateway, status=400, content=content, headers=headers)


@pytest.mark.parametrize("document", [[VALID], "payment", 42, None, True])
async def test_json_that_is_not_an_object(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, document: Any
) -> None:
    headers = {**merchant.headers, "Content-Type": "application/json"}
    await refused(
        client, gateway, status=400, content=json.dumps(document).encode(), headers=headers
    )


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
async def test_wrong_content_type(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, content_type: str
) -> None:
    headers = {**merchant.headers, "Content-Type": content_type}
    await refused(client, gateway, status=400, content=json.dumps(VALID).encode(), headers=headers)


async def test_a_form_encoded_body(client: httpx.AsyncClient, gateway: Any, merchant: Any) -> None:
    await refused(
        client,
        gateway,
        status=400,
        data={"amount": "10050", "currency": "PHP"},
        headers=merchant.headers,
    )


async def test_a_body_over_the_limit_is_413(
    client: httpx.AsyncClient, gateway: Any, merchant: Any
) -> None:
    huge = with_(description="x" * (70 * 1024))

    await refused(
        client, gateway, status=413, code="request_too_large", json=huge, headers=merchant.headers
    )


async def test_a_chunked_body_over_the_limit_is_413(
    client: httpx.AsyncClient, gateway: Any, merchant: Any
) -> None:
    async def chunks() -> Any:
        yield b'{"description": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    headers = {**merchant.headers, "Content-Type": "application/json"}
    await refused(
        client, gateway, status=413, code="request_too_large", content=chunks(), headers=headers
    )


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (with_(colour="red"), "colour"),
        (with_(payment_method={"type": "card", "token": "pm_card_visa", "cvc": "123"}), None),
        (with_(fees={"net": 1}), "fees"),
        (with_(status="captured"), "status"),
    ],
)
async def test_unknown_fields(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any, param: str | None
) -> None:
    error = await refused(
        client,
        gateway,
        status=400,
        code="parameter_unknown",
        json=body,
        headers=merchant.headers,
    )
    if param is not None:
        assert error["param"] == param


@pytest.mark.parametrize("key", ["k" * 256, "k" * 5000])
async def test_an_idempotency_key_too_long(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, key: str
) -> None:
    await refused(
        client,
        gateway,
        status=400,
        param="Idempotency-Key",
        json=VALID,
        headers={**merchant.headers, "Idempotency-Key": key},
    )


async def test_the_valid_request_itself_is_accepted(
    client: httpx.AsyncClient, gateway: Any, merchant: Any
) -> None:
    """The control: the body every case above spoils is a good one."""
    before = await gateway.count("payments")

    response = await client.post(PAYMENTS, json=VALID, headers=merchant.headers)

    assert response.status_code == 201
    assert await gateway.count("payments") == before + 1


@pytest.mark.parametrize(
    "body",
    [with_(order_id="ord\x001"), with_(metadata={"colour": "re\x00d"}), with_(description="\x00")],
    ids=["order_id", "metadata", "description"],
)
async def test_a_nul_character_is_refused(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, body: Any
) -> None:
    await refused(client, gateway, status=400, json=body, headers=merchant.headers)


@pytest.mark.parametrize(
    "path",
    ["/v1/payments?order_id=ord%001", "/v1/payments/pay_%00", "/v1/refunds?payment_id=%00"],
)
async def test_a_nul_character_in_the_url_is_refused(
    client: httpx.AsyncClient, merchant: Any, path: str
) -> None:
    response = await client.get(path, headers=merchant.headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "parameter_invalid"
