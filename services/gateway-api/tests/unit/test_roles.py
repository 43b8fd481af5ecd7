"""Role boundaries over HTTP: a key without the role gets 403 `insufficient_role` and
nothing changes; admin keys set any merchant's pricing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway_api.admin.roles import may, require_role
from gateway_api.domain import PermissionDenied, Principal

SETTINGS = "/v1/merchant/settings"


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def pricing_url(merchant_id: str) -> str:
    return f"/v1/merchants/{merchant_id}/pricing"


def test_each_role_does_what_the_one_below_does() -> None:
    merchant, operator, admin = (Principal("k", "m", r) for r in ("merchant", "operator", "admin"))

    assert [may(p, "operator") for p in (merchant, operator, admin)] == [False, True, True]
    assert [may(p, "admin") for p in (merchant, operator, admin)] == [False, False, True]
    with pytest.raises(PermissionDenied) as refused:
        require_role(operator, "admin", "change tier")
    assert refused.value.code == "insufficient_role"
    assert "operator" in refused.value.message


@pytest.mark.parametrize("role", ["merchant", "operator"])
@pytest.mark.parametrize(
    "change", [{"tier": "enterprise"}, {"platform_fee_percent": "0.1"}, {"tier": None}]
)
async def test_only_admins_change_their_own_tier_and_fee(
    client: httpx.AsyncClient, store: Any, role: str, change: dict[str, Any]
) -> None:
    merchant, _ = store.add_merchant()
    key = store.add_key(merchant.id, role)

    refused = await client.post(SETTINGS, json=change, headers=auth(key))

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_role"
    assert store.settings == {}


async def test_an_admin_changes_its_own_tier_through_settings(
    client: httpx.AsyncClient, store: Any
) -> None:
    merchant, _ = store.add_merchant()
    admin = store.add_key(merchant.id, "admin")

    answer = await client.post(SETTINGS, json={"tier": "enterprise"}, headers=auth(admin))

    assert answer.status_code == 200, answer.text
    assert store.settings[merchant.id].tier == "enterprise"


@pytest.mark.parametrize("role", ["merchant", "operator"])
async def test_pricing_of_any_merchant_is_for_admins_only(
    client: httpx.AsyncClient, store: Any, role: str
) -> None:
    mine, _ = store.add_merchant()
    other, _ = store.add_merchant()
    key = auth(store.add_key(mine.id, role))

    reads = [await client.get(pricing_url(m.id), headers=key) for m in (mine, other)]
    writes = [
        await client.post(pricing_url(m.id), json={"platform_fee_percent": "0"}, headers=key)
        for m in (mine, other)
    ]

    assert [r.status_code for r in reads + writes] == [403] * 4
    assert {r.json()["error"]["code"] for r in reads + writes} == {"insufficient_role"}
    assert store.settings == {}


async def test_an_admin_sets_another_merchants_tier_and_fee(
    client: httpx.AsyncClient, store: Any
) -> None:
    platform, _ = store.add_merchant()
    shop, _ = store.add_merchant()
    admin = auth(store.add_key(platform.id, "admin"))

    changed = await client.post(
        pricing_url(shop.id),
        json={"tier": "professional", "platform_fee_percent": "1.25"},
        headers=admin,
    )
    cleared = await client.post(
        pricing_url(shop.id), json={"platform_fee_percent": None}, headers=admin
    )
    shown = await client.get(pricing_url(shop.id), headers=admin)

    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        "object": "merchant_pricing",
        "merchant_id": shop.id,
        "tier": "professional",
        "platform_fee_percent": "1.25",
        "platform_fee_percent_override": "1.25",
    }
    assert cleared.json()["platform_fee_percent"] == "1.5"  # the professional tier's rate
    assert shown.json() == cleared.json()
    assert platform.id not in store.settings


async def test_pricing_of_an_unknown_merchant_is_404_and_a_null_tier_400(
    client: httpx.AsyncClient, store: Any
) -> None:
    platform, _ = store.add_merchant()
    admin = auth(store.add_key(platform.id, "admin"))

    missing = await client.post(pricing_url("mch_nope"), json={"tier": "starter"}, headers=admin)
    null_tier = await client.post(pricing_url(platform.id), json={"tier": None}, headers=admin)

    assert missing.status_code == 404
    assert (null_tier.status_code, null_tier.json()["error"]["param"]) == (400, "tier")
    assert store.settings == {}


async def test_the_pricing_routes_are_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    route = spec["paths"]["/v1/merchants/{merchant_id}/pricing"]

    assert set(route) == {"get", "post"}
    assert {"401", "403", "404"} <= set(route["post"]["responses"])
    assert "admin" in spec["paths"][SETTINGS]["post"]["responses"]["403"]["description"]
