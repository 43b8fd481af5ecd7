"""Integration: `migrate` creates databases and applies a service's migrations."""

from pathlib import Path

import asyncpg
import pytest

from payroute_devstack.databases import drop_database, unique_database_name
from payroute_devstack.dsn import sqlalchemy_url, with_database
from payroute_devstack.errors import DevstackError
from payroute_devstack.infra import Infra
from payroute_devstack.migrate import migrate_all
from payroute_devstack.services import ServiceSpec

pytestmark = pytest.mark.integration

FAKES = Path(__file__).parent / "fakes"


async def test_migrate_brings_each_database_to_head(
    infra: Infra, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(FAKES))
    database = unique_database_name("devstack_migrate")
    services = (
        ServiceSpec("gateway-api", "fakemig", "FAKEMIG_", 0, database),
        ServiceSpec("orchestrator", "fakesvc", "FAKESVC_", 0, unique_database_name("unused")),
        ServiceSpec("provider-simulator", "fakesvc", "SIM_", 0, None),
    )
    environ = {
        "PAYROUTE_POSTGRES_DSN": infra.postgres_dsn,
        "FAKESVC_DATABASE_URL": "postgresql+asyncpg://x@127.0.0.1:1/given",
    }
    try:
        report = await migrate_all(tmp_path, environ, services)
        assert report == [
            f"gateway-api: {database} at head",
            "orchestrator: no migrations found, skipped",
        ]
        assert await migrate_all(tmp_path, environ, services) == report  # idempotent
        conn = await asyncpg.connect(with_database(infra.postgres_dsn, database))
        try:
            assert await conn.fetchval("SELECT version_num FROM alembic_version") == "0001"
            assert await conn.fetchval("SELECT count(*) FROM fake_things") == 0
        finally:
            await conn.close()
    finally:
        await drop_database(infra.postgres_dsn, database)


async def test_a_failing_migration_is_reported(
    infra: Infra, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(FAKES))
    services = (ServiceSpec("gateway-api", "fakemig", "FAKEMIG_", 0, "never_created"),)
    environ = {"FAKEMIG_DATABASE_URL": sqlalchemy_url(infra.postgres_dsn, "devstack_absent_db")}
    with pytest.raises(DevstackError, match=r"(?s)migrating gateway-api.*devstack_absent_db"):
        await migrate_all(tmp_path, environ, services)
