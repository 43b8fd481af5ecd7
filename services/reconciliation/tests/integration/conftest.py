"""reconciliation over a real, freshly migrated Postgres database (no broker needed)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from payroute_common.migrations import upgrade_to_head
from payroute_common.runtime import ServiceRuntime
from reconciliation import __main__ as main_module
from reconciliation.api import ledger_router
from reconciliation.config import Settings
from reconciliation.store import ReconciliationUnitOfWork
from reconciliation.tables import metadata

MIGRATIONS = Path(main_module.__file__).parent / "migrations"


@dataclass
class Reconciliation:
    runtime: ServiceRuntime
    app: FastAPI

    def unit_of_work(self) -> ReconciliationUnitOfWork:
        return ReconciliationUnitOfWork(self.runtime.sessions, **self.runtime.unit_of_work_args())


async def fresh_database(database_url_factory: Any, name: str) -> str:
    """A new database's URL, whether the shared factory is sync or async."""
    url = database_url_factory(name)
    return str(await url if inspect.isawaitable(url) else url)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def reconciliation(database_url_factory: Any) -> AsyncIterator[Reconciliation]:
    url = await fresh_database(database_url_factory, "reconciliation")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    runtime = ServiceRuntime(Settings(database_url=url), metadata)
    service = Reconciliation(runtime, runtime.create_app())
    service.app.include_router(ledger_router(service.unit_of_work))
    yield service
    await runtime.engine.dispose()


@pytest.fixture
async def client(reconciliation: Reconciliation) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=reconciliation.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reconciliation") as http:
        yield http
