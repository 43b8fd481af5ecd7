"""Each service's migrations build exactly the tables its code declares."""

import asyncio
import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from payroute_common.migrations import upgrade_to_head
from payroute_devstack.testing import migrated_database

pytestmark = pytest.mark.integration

SERVICES = [
    "gateway_api",
    "orchestrator",
    "provider_worker",
    "webhook_ingest",
    "reconciliation",
    "metrics_exporter",
]


def _diff(connection, metadata: MetaData) -> list:  # type: ignore[no-untyped-def]
    return compare_metadata(MigrationContext.configure(connection), metadata)


@pytest.mark.parametrize("package", SERVICES)
async def test_migrations_match_the_declared_tables(package: str, database_url_factory) -> None:
    migrations = Path(importlib.import_module(package).__file__).parent / "migrations"
    url = await migrated_database(database_url_factory, migrations, f"migrations_{package}")
    await asyncio.to_thread(upgrade_to_head, migrations, url)  # a second run is a no-op
    metadata = importlib.import_module(f"{package}.tables").metadata
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(_diff, metadata)
    finally:
        await engine.dispose()
    assert diff == []
