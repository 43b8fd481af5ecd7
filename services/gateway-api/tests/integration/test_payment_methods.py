"""GET /v1/payment-methods through the real app and the real database."""

from datetime import date
from typing import Any

import httpx
import pytest

from gateway_api.admin import api_keys
from payroute_common.fees import fees_for

pytestmark = pytest.mark.integration

METHODS = "/v1/payment-methods"


def offered(listing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{method: {provider: fees}}"""
    return {
        option["type"]: {quote["provider"]: quote["fees"] for quote in option["providers"]}
        for option in listing["data"]
    }


async def test_php_card_and_manual_methods_with_their_fees(
    client: httpx.AsyncClient, merchant: Any
) -> None:
    response = await client.get(
        METHODS, params={"currency": "PHP", "amount": 10_000}, headers=merchant.headers
    )

    assert response.status_code == 200, response.text
    listing = response.json()
    assert (listing["object"], listing["currency"], listing["amount"]) == ("list", "PHP", 10_000)
    methods = offered(listing)
    assert set(methods) == {"card", "gcash", "maya", "paymongo", "cash", "cheque", "bank_transfer"}
    # Stripe in PHP: 3.5 % + PHP 15.00; starter platform fee 3.0 %.
    assert methods["card"]["stripe"] == {"provider_fee": 1_850, "platform_fee": 300, "net": 7_850}
    # GCash through PayMongo: 2.5 %, no fixed part.
    assert methods["gcash"]["paymongo"] == {"provider_fee": 250, "platform_fee": 300, "net": 9_450}
    assert methods["cash"] == {"manual": {"provider_fee": 0, "platform_fee": 300, "net": 9_700}}


async def test_fees_follow_the_merchants_own_platform_rate(
    client: httpx.AsyncClient, gateway: Any, merchant: Any
) -> None:
    async with gateway.unit_of_work() as uow:
        issued = await api_keys.create_api_key(merchant.id, "admin", uow=uow)
    admin = {"Authorization": f"Bearer {issued.secret}"}
    changed = await client.post(
        f"/v1/merchants/{merchant.id}/pricing", json={"platform_fee_percent": "1.25"}, headers=admin
    )
    assert changed.status_code == 200, changed.text

    response = await client.get(
        METHODS, params={"currency": "USD", "amount": 2_000}, headers=merchant.headers
    )

    fees = offered(response.json())["card"]["stripe"]
    expected = fees_for(2_000, "USD", provider="stripe", platform_fee_ppm=12_500, on=date.today())
    assert fees == expected.model_dump()
    assert fees["platform_fee"] == 25
    assert fees["provider_fee"] + fees["platform_fee"] + fees["net"] == 2_000


async def test_without_an_amount_methods_come_without_fees(
    client: httpx.AsyncClient, merchant: Any
) -> None:
    response = await client.get(METHODS, params={"currency": "jpy"}, headers=merchant.headers)

    assert response.status_code == 200
    listing = response.json()
    assert (listing["currency"], listing["amount"]) == ("JPY", None)
    assert offered(listing)["card"] == {"stripe": None}


@pytest.mark.parametrize(
    ("amount", "code"), [(1_999, "amount_too_small"), (10_000_001, "amount_too_large")]
)
async def test_an_amount_outside_the_limits_is_refused(
    client: httpx.AsyncClient, merchant: Any, amount: int, code: str
) -> None:
    response = await client.get(
        METHODS, params={"currency": "PHP", "amount": amount}, headers=merchant.headers
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["param"] == "amount"


async def test_the_merchants_own_limits_decide(
    client: httpx.AsyncClient, merchant: Any, office: Any
) -> None:
    await client.post(
        "/v1/merchant/settings",
        json={"limits": {"PHP": {"minimum": 100, "maximum": 1_000}}},
        headers=office.headers,
    )

    small = await client.get(
        METHODS, params={"currency": "PHP", "amount": 100}, headers=merchant.headers
    )
    large = await client.get(
        METHODS, params={"currency": "PHP", "amount": 1_001}, headers=merchant.headers
    )

    assert small.status_code == 200
    assert "card" in offered(small.json())
    assert large.status_code == 400


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"currency": "XXX"}, "currency"),
        ({"currency": "US"}, "currency"),
        ({}, "currency"),
        ({"currency": "PHP", "amount": "0"}, "amount"),
        ({"currency": "PHP", "amount": "-5"}, "amount"),
        ({"currency": "PHP", "amount": "1.5"}, "amount"),
        ({"currency": "PHP", "amount": "ten"}, "amount"),
    ],
)
async def test_bad_queries_are_400(
    client: httpx.AsyncClient, merchant: Any, params: dict[str, str], param: str
) -> None:
    response = await client.get(METHODS, params=params, headers=merchant.headers)

    assert response.status_code == 400
    assert response.json()["error"]["param"] == param
    assert "x-request-id" in response.headers


async def test_payment_methods_need_a_key(client: httpx.AsyncClient) -> None:
    assert (await client.get(METHODS, params={"currency": "PHP"})).status_code == 401
