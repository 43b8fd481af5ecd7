"""metrics-exporter over a real, freshly migrated Postgres database (no broker needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio

from metrics_exporter import __main__ as main_module
from metrics_exporter.config import Settings
from metrics_exporter.store import MetricsUnitOfWork
from metrics_exporter.tables import metadata
from payroute_common.runtime import ServiceRuntime
from payroute_devstack.testing import migrated_database

MIGRATIONS = Path(main_module.__file__).parent / "migrations"


@dataclass
class Exporter:
    runtime: ServiceRuntime

    def unit_of_work(self) -> MetricsUnitOfWork:
        return self.runtime.unit_of_work(MetricsUnitOfWork)


@pytest_asyncio.fixture(loop_scope="session")
async def exporter(database_url_factory: Any) -> AsyncIterator[Exporter]:
    """A fresh database per test: counters start at zero."""
    url = await migrated_database(database_url_factory, MIGRATIONS, "metrics_exporter")
    runtime = ServiceRuntime(Settings(database_url=url), metadata)
    yield Exporter(runtime)
    await runtime.engine.dispose()
