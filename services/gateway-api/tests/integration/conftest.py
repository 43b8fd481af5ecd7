"""gateway-api over a real, freshly migrated Postgres database (no broker needed).

The app is the production one (`build_app`: request-id middleware, limits, error
mapping, routes, SQL unit of work) over a `ServiceRuntime` whose lifespan is not
run: nothing connects to Kafka, and the outbox relay does not run, so staged
messages stay in the outbox table for the tests to read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import text

from gateway_api.__main__ import MIGRATIONS
from gateway_api.admin import api_keys
from gateway_api.app import build_app
from gateway_api.config import Settings
from gateway_api.tables import metadata
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_common.runtime import ServiceRuntime
from payroute_devstack.testing import migrated_database


@dataclass
class Gateway:
    runtime: ServiceRuntime
    app: FastAPI
    database_url: str

    def unit_of_work(self) -> GatewayUnitOfWork:
        return self.runtime.unit_of_work(GatewayUnitOfWork)

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.runtime.engine.connect() as connection:
            return list(await connection.execute(text(sql), params))

    async def count(self, table: str) -> int:
        (row,) = await self.rows(f"SELECT count(*) AS n FROM {table}")
        return int(row.n)


@dataclass(frozen=True)
class MerchantKey:
    id: str
    key_id: str
    secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def gateway(database_url_factory: Any) -> AsyncIterator[Gateway]:
    url = await migrated_database(database_url_factory, MIGRATIONS, "gateway_api")
    settings = Settings(database_url=SecretStr(url))
    runtime = ServiceRuntime(settings, metadata)
    yield Gateway(runtime, build_app(runtime, settings), url)
    await runtime.engine.dispose()


@pytest.fixture
async def client(gateway: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=gateway.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http


async def new_merchant(gateway: Gateway) -> MerchantKey:
    async with gateway.unit_of_work() as uow:
        merchant, issued = await api_keys.create_merchant("Test Merchant", "starter", uow=uow)
    return MerchantKey(merchant.id, issued.key.id, issued.secret)


@pytest.fixture
async def merchant(gateway: Gateway) -> MerchantKey:
    return await new_merchant(gateway)


async def key_of(gateway: Gateway, merchant: MerchantKey, role: Any) -> MerchantKey:
    """Another key of `merchant`'s, with `role`."""
    async with gateway.unit_of_work() as uow:
        issued = await api_keys.create_api_key(merchant.id, role, uow=uow)
    return MerchantKey(merchant.id, issued.key.id, issued.secret)


@pytest.fixture
async def office(gateway: Gateway, merchant: MerchantKey) -> MerchantKey:
    """An operator key of `merchant`: its back office (settings, verification)."""
    return await key_of(gateway, merchant, "operator")


@pytest.fixture
async def other_merchant(gateway: Gateway) -> MerchantKey:
    return await new_merchant(gateway)


def payment_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "amount": 10_050,
        "currency": "PHP",
        "payment_method": {"type": "card", "token": "pm_card_visa"},
    }
    body.update(changes)
    return body


@pytest.fixture
def body() -> Any:
    return payment_body
