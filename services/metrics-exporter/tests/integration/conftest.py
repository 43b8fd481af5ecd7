"""metrics-exporter over a real, freshly migrated Postgres database (no broker needed)."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio

from metrics_exporter import __main__ as main_module
from metrics_exporter.config import Settings
from metrics_exporter.store import MetricsUnitOfWork
from metrics_exporter.tables import metadata
from payroute_common.migrations import upgrade_to_head
from payroute_common.runtime import ServiceRuntime

MIGRATIONS = Path(main_module.__file__).parent / "migrations"


@dataclass
class Exporter:
    runtime: ServiceRuntime

    def unit_of_work(self) -> MetricsUnitOfWork:
        return MetricsUnitOfWork(self.runtime.sessions, **self.runtime.unit_of_work_args())


async def fresh_database(database_url_factory: Any, name: str) -> str:
    """A new database's URL, whether the shared factory is sync or async."""
    url = database_url_factory(name)
    return str(await url if inspect.isawaitable(url) else url)


@pytest_asyncio.fixture(loop_scope="session")
async def exporter(database_url_factory: Any) -> AsyncIterator[Exporter]:
    """A fresh database per test: counters start at zero."""
    url = await fresh_database(database_url_factory, "metrics_exporter")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    runtime = ServiceRuntime(Settings(database_url=url), metadata)
    yield Exporter(runtime)
    await runtime.engine.dispose()
