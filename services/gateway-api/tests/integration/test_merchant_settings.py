"""GET/POST /v1/merchant/settings through the real app and the real database."""

import asyncio
from typing import Any

import httpx
import pytest

from gateway_api.admin import api_keys
from gateway_api.admin.merchant_settings import DEFAULT_VERIFICATION_TTL_SECONDS

from .conftest import key_of, new_merchant

pytestmark = pytest.mark.integration

SETTINGS = "/v1/merchant/settings"


@pytest.fixture
async def merchant(gateway: Any) -> Any:
    """Here the merchant acts through its back office: an operator key (settings need one)."""
    return await key_of(gateway, await new_merchant(gateway), "operator")


async def key_headers(gateway: Any, merchant: Any, role: Any) -> dict[str, str]:
    async with gateway.unit_of_work() as uow:
        issued = await api_keys.create_api_key(merchant.id, role, uow=uow)
    return {"Authorization": f"Bearer {issued.secret}"}


async def pricing_row(gateway: Any, merchant_id: str) -> tuple[str, int | None]:
    (row,) = await gateway.rows(
        "SELECT m.tier, s.platform_fee_ppm FROM merchants m LEFT JOIN merchant_settings s "
        "ON s.merchant_id = m.id WHERE m.id = :id",
        id=merchant_id,
    )
    return row.tier, row.platform_fee_ppm


async def test_a_new_merchant_sees_the_defaults(client: httpx.AsyncClient, merchant: Any) -> None:
    response = await client.get(SETTINGS, headers=merchant.headers)

    assert response.status_code == 200
    settings = response.json()
    assert settings["object"] == "merchant_settings"
    assert settings["merchant_id"] == merchant.id
    assert (settings["tier"], settings["platform_fee_percent"]) == ("starter", "3")
    assert settings["platform_fee_percent_override"] is None
    assert settings["routing"] == {
        "priorities": [],
        "volume_split": {},
        "fallback": True,
        "max_attempts": 3,
        "strategy": "priority",
    }
    assert settings["limits"]["PHP"] == {"minimum": 2_000, "maximum": 10_000_000, "custom": False}
    assert settings["verification_ttl_seconds"] == DEFAULT_VERIFICATION_TTL_SECONDS


async def test_a_merchant_sets_routing_limits_and_window_and_they_stick(
    client: httpx.AsyncClient, merchant: Any
) -> None:
    update = {
        "routing": {
            "priorities": [
                {"payment_method": "card", "currency": "PHP", "providers": ["stripe"]},
                {"payment_method": "cash", "providers": ["manual"]},
            ],
            "volume_split": {"stripe": 70, "manual": 30},
            "max_attempts": 2,
            "strategy": "cost",
        },
        "limits": {"PHP": {"minimum": 100, "maximum": 5_000_000}},
        "verification_ttl_seconds": 3600,
    }

    response = await client.post(SETTINGS, json=update, headers=merchant.headers)

    assert response.status_code == 200, response.text
    fetched = (await client.get(SETTINGS, headers=merchant.headers)).json()
    assert fetched == response.json()
    assert fetched["routing"]["priorities"][1] == {
        "payment_method": "cash",
        "currency": None,
        "providers": ["manual"],
    }
    assert fetched["routing"]["volume_split"] == {"stripe": 70, "manual": 30}
    assert (fetched["routing"]["max_attempts"], fetched["routing"]["fallback"]) == (2, True)
    assert fetched["routing"]["strategy"] == "cost"
    assert fetched["limits"]["PHP"] == {"minimum": 100, "maximum": 5_000_000, "custom": True}
    assert fetched["limits"]["USD"]["custom"] is False
    assert fetched["verification_ttl_seconds"] == 3600


async def test_an_update_changes_only_what_it_names(
    client: httpx.AsyncClient, merchant: Any
) -> None:
    await client.post(
        SETTINGS,
        json={"routing": {"max_attempts": 4}, "limits": {"USD": {"minimum": 1, "maximum": 100}}},
        headers=merchant.headers,
    )

    response = await client.post(
        SETTINGS,
        json={"routing": {"fallback": False}, "limits": {"EUR": {"minimum": 5, "maximum": 500}}},
        headers=merchant.headers,
    )

    settings = response.json()
    assert (settings["routing"]["max_attempts"], settings["routing"]["fallback"]) == (4, False)
    assert settings["limits"]["USD"] == {"minimum": 1, "maximum": 100, "custom": True}
    assert settings["limits"]["EUR"] == {"minimum": 5, "maximum": 500, "custom": True}


async def test_null_puts_a_setting_back_to_its_default(
    client: httpx.AsyncClient, merchant: Any
) -> None:
    await client.post(
        SETTINGS,
        json={"limits": {"PHP": {"minimum": 100, "maximum": 200}}, "verification_ttl_seconds": 60},
        headers=merchant.headers,
    )

    response = await client.post(
        SETTINGS,
        json={"limits": {"PHP": None}, "verification_ttl_seconds": None},
        headers=merchant.headers,
    )

    settings = response.json()
    assert settings["limits"]["PHP"] == {"minimum": 2_000, "maximum": 10_000_000, "custom": False}
    assert settings["verification_ttl_seconds"] == DEFAULT_VERIFICATION_TTL_SECONDS


async def test_null_routing_fields_go_back_to_their_defaults(
    client: httpx.AsyncClient, merchant: Any
) -> None:
    await client.post(
        SETTINGS,
        json={"routing": {"fallback": False, "max_attempts": 1, "volume_split": {"stripe": 5}}},
        headers=merchant.headers,
    )

    one = await client.post(
        SETTINGS, json={"routing": {"fallback": None}}, headers=merchant.headers
    )
    everything = await client.post(SETTINGS, json={"routing": None}, headers=merchant.headers)

    assert one.json()["routing"]["fallback"] is True
    assert one.json()["routing"]["max_attempts"] == 1
    assert everything.json()["routing"] == {
        "priorities": [],
        "volume_split": {},
        "fallback": True,
        "max_attempts": 3,
        "strategy": "priority",
    }


async def test_concurrent_partial_updates_all_land(
    client: httpx.AsyncClient, merchant: Any
) -> None:
    updates = [
        {"limits": {currency: {"minimum": 1, "maximum": 1_000}}}
        for currency in ("USD", "EUR", "GBP", "SGD", "AUD", "CAD")
    ]

    answers = await asyncio.gather(
        *(client.post(SETTINGS, json=u, headers=merchant.headers) for u in updates)
    )

    assert [a.status_code for a in answers] == [200] * len(updates)
    limits = (await client.get(SETTINGS, headers=merchant.headers)).json()["limits"]
    assert {c for c, lim in limits.items() if lim["custom"]} == {
        "USD",
        "EUR",
        "GBP",
        "SGD",
        "AUD",
        "CAD",
    }


async def test_only_an_admin_changes_tier_and_fee(
    client: httpx.AsyncClient, gateway: Any, merchant: Any
) -> None:
    operator = await key_headers(gateway, merchant, "operator")
    for headers in (merchant.headers, operator):
        for change in ({"tier": "enterprise"}, {"platform_fee_percent": "0.1"}, {"tier": None}):
            refused = await client.post(SETTINGS, json=change, headers=headers)

            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "insufficient_role"
    assert await pricing_row(gateway, merchant.id) == ("starter", None)

    admin = await key_headers(gateway, merchant, "admin")
    response = await client.post(
        SETTINGS,
        json={"tier": "professional", "platform_fee_percent": "1.2575"},
        headers=admin,
    )

    assert response.status_code == 200, response.text
    settings = (await client.get(SETTINGS, headers=merchant.headers)).json()
    assert settings["tier"] == "professional"
    assert settings["platform_fee_percent"] == settings["platform_fee_percent_override"] == "1.2575"
    assert await pricing_row(gateway, merchant.id) == ("professional", 12_575)

    cleared = await client.post(SETTINGS, json={"platform_fee_percent": None}, headers=admin)
    null_tier = await client.post(SETTINGS, json={"tier": None}, headers=admin)

    assert cleared.json()["platform_fee_percent"] == "1.5"  # the professional tier's rate
    assert cleared.json()["platform_fee_percent_override"] is None
    assert (null_tier.status_code, null_tier.json()["error"]["param"]) == (400, "tier")


async def test_operators_still_set_routing_limits_and_window(
    client: httpx.AsyncClient, gateway: Any, merchant: Any
) -> None:
    operator = await key_headers(gateway, merchant, "operator")
    change = {"routing": {"max_attempts": 2}, "verification_ttl_seconds": 60}

    response = await client.post(SETTINGS, json=change, headers=operator)

    assert response.status_code == 200, response.text
    assert response.json()["routing"]["max_attempts"] == 2


async def test_settings_are_per_merchant(
    client: httpx.AsyncClient, merchant: Any, other_merchant: Any
) -> None:
    await client.post(SETTINGS, json={"verification_ttl_seconds": 99}, headers=merchant.headers)

    other = (await client.get(SETTINGS, headers=other_merchant.headers)).json()

    assert other["merchant_id"] == other_merchant.id
    assert other["verification_ttl_seconds"] == DEFAULT_VERIFICATION_TTL_SECONDS


@pytest.mark.parametrize(
    ("update", "param"),
    [
        (
            {"routing": {"priorities": [{"providers": ["acme"]}]}},
            "routing[priorities][0][providers][0]",
        ),
        ({"routing": {"volume_split": {"acme": 1}}}, "routing[volume_split][acme]"),
        (
            {"routing": {"priorities": [{"payment_method": "cash", "providers": ["stripe"]}]}},
            "routing[priorities][0][providers][0]",
        ),
        ({"routing": {"max_attempts": 6}}, "routing[max_attempts]"),
        ({"routing": {"max_attempts": 0}}, "routing[max_attempts]"),
        ({"limits": {"PHP": {"minimum": 0, "maximum": 100}}}, "limits[PHP][minimum]"),
        ({"limits": {"PHP": {"minimum": 300, "maximum": 200}}}, "limits[PHP][minimum]"),
        ({"limits": {"PHP": {"minimum": 1, "maximum": 10_000_001}}}, "limits[PHP][maximum]"),
        ({"limits": {"PHP": {"minimum": 1.5, "maximum": 200}}}, "limits[PHP][minimum]"),
        ({"limits": {"XXX": {"minimum": 1, "maximum": 200}}}, "limits[XXX]"),
        ({"verification_ttl_seconds": 0}, "verification_ttl_seconds"),
        ({"verification_ttl_seconds": 30 * 86_400 + 1}, "verification_ttl_seconds"),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_bad_settings_are_refused_and_change_nothing(
    client: httpx.AsyncClient, merchant: Any, update: dict[str, Any], param: str
) -> None:
    before = (await client.get(SETTINGS, headers=merchant.headers)).json()

    response = await client.post(SETTINGS, json=update, headers=merchant.headers)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert (await client.get(SETTINGS, headers=merchant.headers)).json() == before


@pytest.mark.parametrize(
    "percent", ["100.00001", "100.0001", "-1", "1e2", "1,5", "", " 1", 1.25, 2]
)
async def test_bad_fee_percents_are_refused(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, percent: Any
) -> None:
    admin = await key_headers(gateway, merchant, "admin")

    response = await client.post(SETTINGS, json={"platform_fee_percent": percent}, headers=admin)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "platform_fee_percent"


@pytest.mark.parametrize(("percent", "shown"), [("0", "0"), ("100", "100"), ("0.0001", "0.0001")])
async def test_fee_percents_at_the_edges(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, percent: str, shown: str
) -> None:
    admin = await key_headers(gateway, merchant, "admin")

    response = await client.post(SETTINGS, json={"platform_fee_percent": percent}, headers=admin)

    assert response.status_code == 200, response.text
    assert response.json()["platform_fee_percent"] == shown


async def test_settings_need_a_key(client: httpx.AsyncClient) -> None:
    assert (await client.get(SETTINGS)).status_code == 401
    assert (await client.post(SETTINGS, json={})).status_code == 401


async def test_payments_are_checked_against_the_merchants_own_limits(
    client: httpx.AsyncClient, gateway: Any, merchant: Any
) -> None:
    await client.post(
        SETTINGS,
        json={"limits": {"PHP": {"minimum": 100, "maximum": 5_000}}},
        headers=merchant.headers,
    )

    async with gateway.unit_of_work() as uow:
        settings = await uow.merchant_settings.get(merchant.id)

    assert settings.limits_for("PHP").maximum == 5_000
    settings.check_payment(150, "PHP", "card")  # under the default floor, inside its own
    with pytest.raises(Exception, match="at most"):
        settings.check_payment(5_001, "PHP", "card")


async def test_a_merchant_key_may_read_settings_but_not_change_them(
    client: httpx.AsyncClient, gateway: Any
) -> None:
    plain = await new_merchant(gateway)
    before = (await client.get(SETTINGS, headers=plain.headers)).json()
    change = {"routing": {"max_attempts": 1}, "limits": {"PHP": {"minimum": 100, "maximum": 500}}}

    refused = await client.post(SETTINGS, json=change, headers=plain.headers)

    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "insufficient_role"
    assert (await client.get(SETTINGS, headers=plain.headers)).json() == before
