"""Integration: databases, ensure-Postgres, and the embedded fallback."""

import os
import secrets
import shutil
import time
from pathlib import Path

import asyncpg
import pytest

from payroute_devstack.databases import create_database, database_exists, drop_database
from payroute_devstack.dsn import with_database
from payroute_devstack.embedded_postgres import data_dir
from payroute_devstack.infra import Infra
from payroute_devstack.ports import free_port, port_is_open
from payroute_devstack.postgres import ensure_postgres
from payroute_devstack.testing import DatabaseUrlFactory

pytestmark = pytest.mark.integration


async def test_a_database_is_created_and_dropped(infra: Infra) -> None:
    name = f"devstack_probe_{secrets.token_hex(4)}"
    assert await create_database(infra.postgres_dsn, name)
    assert not await create_database(infra.postgres_dsn, name)
    conn = await asyncpg.connect(with_database(infra.postgres_dsn, name))
    await conn.execute("CREATE TABLE t (id int)")
    await drop_database(infra.postgres_dsn, name)  # even with a session open
    assert not await database_exists(infra.postgres_dsn, name)
    await conn.close()


async def test_factory_urls_point_at_fresh_databases(
    database_url_factory: DatabaseUrlFactory,
) -> None:
    url = database_url_factory("orders")
    assert url.startswith("postgresql+asyncpg://")
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname='public'") == 0
    finally:
        await conn.close()


async def test_ensure_postgres_uses_a_server_that_answers(infra: Infra, tmp_path: Path) -> None:
    assert await ensure_postgres(infra.postgres_dsn, tmp_path) is None
    assert not (tmp_path / "postgres").exists()


async def test_embedded_postgres_starts_on_an_unused_port(devstack_run_dir: Path) -> None:
    run_dir = devstack_run_dir / f"embedded-{secrets.token_hex(3)}"
    run_dir.mkdir()
    port = free_port()
    dsn = f"postgresql://postgres@127.0.0.1:{port}"
    started = time.monotonic()
    server = await ensure_postgres(dsn, run_dir)
    elapsed = time.monotonic() - started
    assert server is not None
    try:
        assert elapsed < 30, f"embedded Postgres took {elapsed:.1f}s"
        assert (data_dir(run_dir) / "PG_VERSION").is_file()
        if os.geteuid() == 0:
            assert os.stat(f"/proc/{server.pid}").st_uid != 0, "postgres must not run as root"
        conn = await asyncpg.connect(with_database(dsn, "postgres"))
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()
        assert await create_database(dsn, "devstack_embedded")
    finally:
        await server.stop()
    assert not server.is_running()
    assert not port_is_open("127.0.0.1", port)

    again = await ensure_postgres(dsn, run_dir)  # reuses the data dir, no initdb
    assert again is not None
    try:
        conn = await asyncpg.connect(with_database(dsn, "devstack_embedded"))
        await conn.close()
    finally:
        await again.stop()
    shutil.rmtree(run_dir / "postgres")
