"""A merchant's settings read with its key: the same as read alone, never used to lock."""

from dataclasses import replace
from typing import Any

import httpx
import pytest

from gateway_api.domain import hash_secret

from .conftest import key_of, new_merchant

pytestmark = pytest.mark.integration


async def read_with_key(gateway: Any, secret: str, merchant_id: str) -> Any:
    async with gateway.unit_of_work() as uow:
        principal = await uow.api_keys.principal(hash_secret(secret))
        assert principal is not None
        assert principal.merchant_id == merchant_id
        return await uow.merchant_settings.get(merchant_id)


async def read_alone(gateway: Any, merchant_id: str) -> Any:
    async with gateway.unit_of_work() as uow:
        return await uow.merchant_settings.get(merchant_id)


async def test_defaults_and_own_settings_read_with_the_key_equal_a_read_alone(
    client: httpx.AsyncClient, gateway: Any
) -> None:
    merchant = await key_of(gateway, await new_merchant(gateway), "operator")
    defaults = await read_with_key(gateway, merchant.secret, merchant.id)
    assert defaults == await read_alone(gateway, merchant.id)

    change = {
        "routing": {"max_attempts": 1, "fallback": False},
        "limits": {"PHP": {"minimum": 100, "maximum": 5_000}},
        "verification_ttl_seconds": 600,
    }
    response = await client.post("/v1/merchant/settings", json=change, headers=merchant.headers)
    assert response.status_code == 200, response.text

    own = await read_with_key(gateway, merchant.secret, merchant.id)
    assert own == await read_alone(gateway, merchant.id)
    assert own != defaults


async def test_a_locking_read_and_a_read_after_saving_go_to_the_database(gateway: Any) -> None:
    merchant = await new_merchant(gateway)
    async with gateway.unit_of_work() as uow:
        await uow.api_keys.principal(hash_secret(merchant.secret))
        read = await uow.merchant_settings.get(merchant.id)
        async with gateway.unit_of_work() as other:
            await other.merchant_settings.save(replace(read, verification_ttl_seconds=60))
            await other.commit()

        assert (await uow.merchant_settings.get(merchant.id)) == read
        locked = await uow.merchant_settings.get(merchant.id, for_update=True)
        assert locked.verification_ttl_seconds == 60
        await uow.merchant_settings.save(replace(locked, verification_ttl_seconds=90))
        assert (await uow.merchant_settings.get(merchant.id)).verification_ttl_seconds == 90
