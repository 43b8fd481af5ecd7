"""reconciliation over a real, freshly migrated Postgres database (no broker needed).

Its `/v1` routes need an admin key: the session's is announced the way gateway-api
announces keys (`ApiKeyIssued`, through the service's own handler), and `client`
sends it.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from payroute_common.clock import utcnow
from payroute_common.consumer import Received
from payroute_common.messages import ApiKeyIssued
from payroute_common.runtime import ServiceRuntime
from payroute_devstack.batches import received
from payroute_devstack.testing import migrated_database
from reconciliation import __main__ as main_module
from reconciliation import auth, consumers
from reconciliation.access import hash_secret
from reconciliation.api import ledger_router
from reconciliation.config import Settings
from reconciliation.store import ReconciliationUnitOfWork
from reconciliation.tables import metadata

MIGRATIONS = Path(main_module.__file__).parent / "migrations"
ADMIN_KEY = "sk_" + secrets.token_urlsafe(32)


@dataclass
class Reconciliation:
    runtime: ServiceRuntime
    app: FastAPI

    def unit_of_work(self) -> ReconciliationUnitOfWork:
        return self.runtime.unit_of_work(ReconciliationUnitOfWork)

    async def consume(self, batch: list[Received]) -> None:
        """Hand `batch` to the service's consumer, as the broker would."""
        await consumers.dispatcher(self.unit_of_work)(batch)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def reconciliation(database_url_factory: Any) -> AsyncIterator[Reconciliation]:
    url = await migrated_database(database_url_factory, MIGRATIONS, "reconciliation")
    runtime = ServiceRuntime(Settings(database_url=url), metadata)
    service = Reconciliation(runtime, runtime.create_app())
    auth.install(service.app)
    service.app.include_router(ledger_router(service.unit_of_work))
    admin = ApiKeyIssued(
        key_id="key_admin_session",
        merchant_id="mch_platform",
        role="admin",
        key_hash=hash_secret(ADMIN_KEY),
        created_at=utcnow(),
    )
    await service.consume(received(admin))
    yield service
    await runtime.engine.dispose()


@pytest.fixture
async def client(reconciliation: Reconciliation) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=reconciliation.app)
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    base_url = "http://reconciliation"
    async with httpx.AsyncClient(transport=transport, base_url=base_url, headers=headers) as http:
        yield http
