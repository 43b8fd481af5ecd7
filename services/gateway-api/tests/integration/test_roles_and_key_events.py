"""Roles and API-key events through the real app, CLI and database.

A key without the role gets 403 and the stored settings stay as they were; an
admin key sets any merchant's pricing. Every key made or revoked, by any path,
leaves `ApiKeyIssued`/`ApiKeyRevoked` in the outbox (topic `access.keys`, keyed by
key id) with the stored hash and never the secret.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from gateway_api.admin import api_keys
from payroute_cli.main import main as payroute_main
from payroute_common.envelope import Envelope
from payroute_common.topics import ACCESS_KEYS

pytestmark = pytest.mark.integration


def pricing_url(merchant_id: str) -> str:
    return f"/v1/merchants/{merchant_id}/pricing"


async def key_headers(gateway: Any, merchant_id: str, role: Any) -> dict[str, str]:
    async with gateway.unit_of_work() as uow:
        issued = await api_keys.create_api_key(merchant_id, role, uow=uow)
    return {"Authorization": f"Bearer {issued.secret}"}


async def stored_pricing(gateway: Any, merchant_id: str) -> tuple[Any, ...]:
    (row,) = await gateway.rows(
        "SELECT m.tier, s.platform_fee_ppm, s.updated_at FROM merchants m "
        "LEFT JOIN merchant_settings s ON s.merchant_id = m.id WHERE m.id = :id",
        id=merchant_id,
    )
    return tuple(row)


async def key_events(gateway: Any, key_id: str) -> list[Envelope]:
    rows = await gateway.rows(
        "SELECT topic, value FROM outbox WHERE key = :key ORDER BY id", key=key_id
    )
    assert {row.topic for row in rows} <= {ACCESS_KEYS.name}
    return [Envelope.model_validate_json(row.value) for row in rows]


@pytest.mark.parametrize("role", ["merchant", "operator"])
async def test_keys_below_admin_get_403_and_change_no_ones_pricing(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, other_merchant: Any, role: str
) -> None:
    headers = await key_headers(gateway, merchant.id, role)
    before = [await stored_pricing(gateway, m.id) for m in (merchant, other_merchant)]

    answers = [
        await client.post(pricing_url(m.id), json=change, headers=headers)
        for m in (merchant, other_merchant)
        for change in ({"tier": "enterprise"}, {"platform_fee_percent": "0.1"})
    ]
    answers.append(await client.get(pricing_url(other_merchant.id), headers=headers))
    answers.append(
        await client.post(
            "/v1/merchant/settings", json={"platform_fee_percent": "0.1"}, headers=headers
        )
    )

    assert [a.status_code for a in answers] == [403] * 6
    assert {a.json()["error"]["code"] for a in answers} == {"insufficient_role"}
    assert [await stored_pricing(gateway, m.id) for m in (merchant, other_merchant)] == before


async def test_an_admin_sets_any_merchants_pricing_and_payments_use_it(
    client: httpx.AsyncClient, gateway: Any, merchant: Any, other_merchant: Any, body: Any
) -> None:
    admin = await key_headers(gateway, merchant.id, "admin")

    changed = await client.post(
        pricing_url(other_merchant.id),
        json={"tier": "enterprise", "platform_fee_percent": "0.25"},
        headers=admin,
    )
    shown = await client.get(pricing_url(other_merchant.id), headers=admin)
    missing = await client.get(pricing_url("mch_nope"), headers=admin)
    payment = await client.post("/v1/payments", json=body(), headers=other_merchant.headers)

    assert changed.status_code == 200, changed.text
    assert shown.json() == changed.json()
    assert (shown.json()["tier"], shown.json()["platform_fee_percent"]) == ("enterprise", "0.25")
    assert (await stored_pricing(gateway, other_merchant.id))[:2] == ("enterprise", 2_500)
    assert (await stored_pricing(gateway, merchant.id))[:2] == ("starter", None)
    assert missing.status_code == 404
    (row,) = await gateway.rows("SELECT value FROM outbox WHERE key = :id", id=payment.json()["id"])
    assert Envelope.model_validate_json(row.value).payload["platform_fee_ppm"] == 2_500


async def test_each_key_made_or_revoked_is_in_the_outbox_with_its_hash(
    gateway: Any,
) -> None:
    async with gateway.unit_of_work() as uow:
        merchant, first = await api_keys.create_merchant("Keys Merchant", "starter", uow=uow)
    async with gateway.unit_of_work() as uow:
        admin = await api_keys.create_api_key(merchant.id, "admin", uow=uow)
    async with gateway.unit_of_work() as uow:
        await api_keys.revoke_api_key(admin.key.id, uow=uow)
    async with gateway.unit_of_work() as uow:
        await api_keys.revoke_api_key(admin.key.id, uow=uow)  # again: nothing new

    for issued in (first, admin):
        (stored,) = await gateway.rows(
            "SELECT key_hash, role FROM api_keys WHERE id = :id", id=issued.key.id
        )
        events = await key_events(gateway, issued.key.id)
        assert events[0].event_type == "ApiKeyIssued"
        assert events[0].payload["key_hash"] == stored.key_hash
        assert (events[0].payload["role"], events[0].tenant_id) == (stored.role, merchant.id)
        assert all(issued.secret not in e.model_dump_json() for e in events)
    revoked = await key_events(gateway, admin.key.id)
    assert [e.event_type for e in revoked] == ["ApiKeyIssued", "ApiKeyRevoked"]


async def test_the_cli_makes_admin_keys_and_announces_them(
    gateway: Any,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    other_merchant: Any,
) -> None:
    monkeypatch.setenv("GATEWAY_API_DATABASE_URL", gateway.database_url)

    async def payroute(*args: str) -> Any:
        code = await asyncio.to_thread(payroute_main, list(args))
        out, _ = capsys.readouterr()
        assert code == 0
        return json.loads(out)

    merchant = await payroute("merchants", "create", "Platform")
    key = await payroute("keys", "create", merchant["id"], "--role", "admin")
    headers = {"Authorization": f"Bearer {key['api_key']}"}
    answer = await client.get(pricing_url(other_merchant.id), headers=headers)
    revoked = await payroute("keys", "revoke", key["id"])
    after = await client.get(pricing_url(other_merchant.id), headers=headers)

    assert key["role"] == "admin"
    assert answer.status_code == 200, answer.text
    assert revoked["revoked"] is True
    assert after.status_code == 401
    assert [e.event_type for e in await key_events(gateway, merchant["key_id"])] == ["ApiKeyIssued"]
    events = await key_events(gateway, key["id"])
    assert [e.event_type for e in events] == ["ApiKeyIssued", "ApiKeyRevoked"]
    assert events[0].payload["role"] == "admin"
