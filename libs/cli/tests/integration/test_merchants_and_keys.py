"""`payroute merchants|keys` on a fresh database: create, use, revoke; bad input: one line."""

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from payroute_cli.main import main

pytestmark = pytest.mark.integration


async def payroute(args: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any, str]:
    """Run the CLI's main (in a thread: it runs its own event loop, as in a real process)."""
    code = await asyncio.to_thread(main, list(args))
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else out, err


async def test_create_use_and_revoke_round_trip(
    gateway: Any,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The CLI writes the database the app under test reads.
    monkeypatch.setenv("GATEWAY_API_DATABASE_URL", gateway.database_url)

    code, merchant, _ = await payroute(
        ["merchants", "create", "Acme Foods", "--tier", "professional"], capsys
    )

    assert code == 0
    assert set(merchant) == {"id", "name", "tier", "key_id", "api_key"}
    assert merchant["id"].startswith("mch_")
    assert merchant["key_id"].startswith("key_")
    assert (merchant["name"], merchant["tier"]) == ("Acme Foods", "professional")
    assert merchant["api_key"].startswith("sk_")
    as_merchant = {"Authorization": f"Bearer {merchant['api_key']}"}
    assert (await client.get("/v1/payments/pay_none", headers=as_merchant)).status_code == 404

    code, key, _ = await payroute(["keys", "create", merchant["id"], "--role", "operator"], capsys)

    assert code == 0
    assert set(key) == {"id", "merchant_id", "role", "api_key"}
    assert (key["merchant_id"], key["role"]) == (merchant["id"], "operator")
    as_operator = {"Authorization": f"Bearer {key['api_key']}"}
    assert (await client.get("/v1/payments/pay_none", headers=as_operator)).status_code == 404

    code, revoked, _ = await payroute(["keys", "revoke", key["id"]], capsys)

    assert code == 0
    assert revoked == {"id": key["id"], "revoked": True}
    assert (await client.get("/v1/payments/pay_none", headers=as_operator)).status_code == 401
    assert (await client.get("/v1/payments/pay_none", headers=as_merchant)).status_code == 404
    (row,) = await gateway.rows("SELECT * FROM api_keys WHERE id = :id", id=key["id"])
    assert all(key["api_key"] not in str(value) for value in row)  # hash and last4 only
    assert row.last4 == key["api_key"][-4:]


async def test_the_cli_migrates_a_fresh_database(
    database_url_factory: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = database_url_factory("gateway_cli")
    monkeypatch.setenv("GATEWAY_API_DATABASE_URL", url)

    code, merchant, _ = await payroute(["merchants", "create", "Fresh"], capsys)

    assert code == 0
    assert merchant["tier"] == "starter"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["keys", "create", "mch_nobody"], "No such merchant: 'mch_nobody'"),
        (["keys", "revoke", "key_nothing"], "No such API key: 'key_nothing'"),
    ],
)
async def test_bad_input_exits_non_zero_with_one_line(
    gateway: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("GATEWAY_API_DATABASE_URL", gateway.database_url)

    code, out, err = await payroute(args, capsys)

    assert code == 1
    assert out == ""
    assert err == f"payroute: error: {message}\n"


async def test_an_unreachable_database_is_one_line_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "GATEWAY_API_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"
    )

    code, _, err = await payroute(["merchants", "create", "Nobody"], capsys)

    assert code == 1
    assert err.startswith("payroute: error: database error")
    assert err.count("\n") == 1


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["merchants", "create", "X", "--tier", "gold"])

    assert exit_info.value.code == 2


async def test_update_and_show_a_merchants_terms(
    gateway: Any,
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GATEWAY_API_DATABASE_URL", gateway.database_url)
    _, merchant, _ = await payroute(["merchants", "create", "Terms Co"], capsys)

    code, updated, _ = await payroute(
        [
            "merchants",
            "update",
            merchant["id"],
            "--tier",
            "enterprise",
            "--platform-fee-percent",
            "0.75",
        ],
        capsys,
    )

    assert code == 0
    assert (updated["id"], updated["name"], updated["tier"]) == (
        merchant["id"],
        "Terms Co",
        "enterprise",
    )
    assert updated["platform_fee_percent"] == updated["platform_fee_percent_override"] == "0.75"
    as_merchant = {"Authorization": f"Bearer {merchant['api_key']}"}
    seen = (await client.get("/v1/merchant/settings", headers=as_merchant)).json()
    assert (seen["tier"], seen["platform_fee_percent"]) == ("enterprise", "0.75")

    code, cleared, _ = await payroute(
        ["merchants", "update", merchant["id"], "--platform-fee-percent", "default"], capsys
    )

    assert code == 0
    assert (cleared["tier"], cleared["platform_fee_percent"]) == ("enterprise", "0.5")
    assert cleared["platform_fee_percent_override"] is None

    code, shown, _ = await payroute(["merchants", "show", merchant["id"]], capsys)

    assert code == 0
    assert shown == cleared
    assert set(shown) >= {"routing", "limits", "verification_ttl_seconds"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["merchants", "show", "mch_nobody"], "No such merchant: 'mch_nobody'"),
        (["merchants", "update", "mch_nobody", "--tier", "starter"], "No such merchant"),
        (["merchants", "update", "{merchant}", "--platform-fee-percent", "1.5%"], "1.25"),
        (["merchants", "update", "{merchant}", "--platform-fee-percent", "101"], "0 and 100"),
        (["merchants", "update", "{merchant}"], "nothing to change"),
    ],
)
async def test_bad_merchant_updates_fail_in_one_line_and_change_nothing(
    gateway: Any,
    merchant: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("GATEWAY_API_DATABASE_URL", gateway.database_url)

    code, out, err = await payroute([a.format(merchant=merchant.id) for a in args], capsys)

    assert code == 1
    assert out == ""
    assert err.startswith("payroute: error: ")
    assert message in err
    assert err.count("\n") == 1
    (row,) = await gateway.rows("SELECT tier FROM merchants WHERE id = :id", id=merchant.id)
    assert row.tier == "starter"
    assert (
        await gateway.rows(
            "SELECT 1 FROM merchant_settings WHERE merchant_id = :id", id=merchant.id
        )
        == []
    )
