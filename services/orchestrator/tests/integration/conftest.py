"""The orchestrator's store over a real, freshly migrated Postgres (no broker needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from orchestrator import __main__ as main_module
from orchestrator.conditions import ConditionsCache
from orchestrator.config import Settings
from orchestrator.store import OrchestratorUnitOfWork
from orchestrator.tables import metadata
from payroute_common.runtime import ServiceRuntime
from payroute_devstack.testing import migrated_database

MIGRATIONS = Path(main_module.__file__).parent / "migrations"


@pytest_asyncio.fixture(loop_scope="session")
async def runtime(database_url_factory: Any) -> AsyncIterator[ServiceRuntime]:
    url = await migrated_database(database_url_factory, MIGRATIONS, "orchestrator")
    runtime = ServiceRuntime(Settings(database_url=url), metadata)
    yield runtime
    await runtime.engine.dispose()


def unit_of_work(runtime: ServiceRuntime) -> OrchestratorUnitOfWork:
    """A unit of work like the service's, reading provider conditions anew each time."""
    return runtime.unit_of_work(OrchestratorUnitOfWork, conditions=ConditionsCache(ttl_s=0))
