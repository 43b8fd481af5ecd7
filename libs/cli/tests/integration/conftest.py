"""gateway-api over a fresh, migrated Postgres database, for the commands that write it.

The app is the production one (`build_app`) over a `ServiceRuntime` whose lifespan
is not run: nothing connects to Kafka. The CLI writes the database the app reads.
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
from gateway_api.domain import Merchant
from gateway_api.tables import metadata
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_common.runtime import ServiceRuntime
from payroute_devstack.testing import migrated_database


@dataclass
class Gateway:
    runtime: ServiceRuntime
    app: FastAPI
    database_url: str

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.runtime.engine.connect() as connection:
            return list(await connection.execute(text(sql), params))


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


@pytest.fixture
async def merchant(gateway: Gateway) -> Merchant:
    async with gateway.runtime.unit_of_work(GatewayUnitOfWork) as uow:
        merchant, _ = await api_keys.create_merchant("Test Merchant", "starter", uow=uow)
    return merchant
