"""Only unrevoked admin keys reach reconciliation's `/v1` routes; keys arrive by topic."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked
from payroute_devstack.batches import received
from reconciliation import auth
from reconciliation.access import (
    AuthenticationFailed,
    KeyHolder,
    PermissionDenied,
    hash_secret,
    lookup_hash,
    require_admin,
)
from reconciliation.api import ledger_router

from .snapshots import T0
from .test_handlers import FakeUnitOfWork, consume

ADMIN_SECRET = "sk_" + "a" * 43
MERCHANT_SECRET = "sk_" + "m" * 43


def issued(key_id: str, secret: str, role: str = "admin") -> ApiKeyIssued:
    return ApiKeyIssued(
        key_id=key_id,
        merchant_id="mch_platform",
        role=role,  # type: ignore[arg-type]
        key_hash=hash_secret(secret),
        created_at=T0,
    )


def revoked(key_id: str) -> ApiKeyRevoked:
    return ApiKeyRevoked(key_id=key_id, merchant_id="mch_platform", revoked_at=T0)


def test_the_hash_is_sha256_hex_as_gateway_stores_it() -> None:
    digest = "12b2820cf1639904311da5771de1e5bb65c77073fdc7c555df395942df42896b"
    assert hash_secret("sk_test") == lookup_hash("sk_test") == digest
    assert lookup_hash("") is None
    assert lookup_hash("x" * 1000) is None  # never hashed, never looked up


def test_require_admin() -> None:
    admin = KeyHolder("key_1", "mch_1", "admin")
    assert require_admin(ADMIN_SECRET, admin) == admin
    with pytest.raises(AuthenticationFailed) as missing:
        require_admin(None, None)
    assert missing.value.code == "api_key_missing"
    with pytest.raises(AuthenticationFailed) as unknown:
        require_admin(ADMIN_SECRET, None)
    assert unknown.value.code == "api_key_invalid"
    assert ADMIN_SECRET not in unknown.value.message
    for role in ("merchant", "operator"):
        with pytest.raises(PermissionDenied) as refused:
            require_admin(ADMIN_SECRET, KeyHolder("key_2", "mch_1", role))
        assert (refused.value.status, refused.value.code) == (403, "insufficient_role")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
async def client(uow: FakeUnitOfWork) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    auth.install(app)
    app.include_router(ledger_router(lambda: uow))  # type: ignore[arg-type, return-value]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://recon") as http:
        yield http


async def announce(uow: FakeUnitOfWork, *messages: ApiKeyIssued | ApiKeyRevoked) -> None:
    await consume(received(*messages), uow)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def test_missing_and_unknown_keys_are_401(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/ledger/pay_1")
    unknown = await client.get("/v1/ledger/pay_1", headers=bearer(ADMIN_SECRET))
    basic = await client.get("/v1/ledger/pay_1", headers={"Authorization": "Basic eDp5"})
    assert [r.status_code for r in (missing, unknown, basic)] == [401, 401, 401]
    assert missing.json()["error"] == {
        "type": "authentication_error",
        "code": "api_key_missing",
        "message": missing.json()["error"]["message"],
    }
    assert unknown.json()["error"]["code"] == "api_key_invalid"


async def test_an_admin_key_passes_and_other_roles_are_403(
    client: httpx.AsyncClient, uow: FakeUnitOfWork
) -> None:
    await announce(uow, issued("key_a", ADMIN_SECRET), issued("key_m", MERCHANT_SECRET, "merchant"))
    passed = await client.get("/v1/ledger/pay_1", headers=bearer(ADMIN_SECRET))
    assert passed.status_code == 404  # past the check: there is no such entry
    assert passed.json()["error"]["code"] == "resource_missing"
    refused = await client.get("/v1/ledger/pay_1", headers=bearer(MERCHANT_SECRET))
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "insufficient_role")


async def test_a_revoked_key_is_401_even_if_its_issue_arrives_again(
    client: httpx.AsyncClient, uow: FakeUnitOfWork
) -> None:
    await announce(uow, issued("key_a", ADMIN_SECRET), revoked("key_a"))
    assert (await client.get("/v1/ledger/pay_1", headers=bearer(ADMIN_SECRET))).status_code == 401
    await announce(uow, issued("key_a", ADMIN_SECRET))  # a replay, with a new event id
    assert (await client.get("/v1/ledger/pay_1", headers=bearer(ADMIN_SECRET))).status_code == 401


async def test_a_revocation_before_its_issue_still_holds(uow: FakeUnitOfWork) -> None:
    await announce(uow, revoked("key_a"))
    await announce(uow, issued("key_a", ADMIN_SECRET))
    assert await uow.api_keys.holder(hash_secret(ADMIN_SECRET)) is None


async def test_a_redelivered_announcement_is_applied_once(uow: FakeUnitOfWork) -> None:
    batch = received(issued("key_a", ADMIN_SECRET))
    await consume(batch, uow)
    await consume(batch, uow)
    assert uow.api_keys.applied == ["key_a"]
    assert uow.commits == 2
