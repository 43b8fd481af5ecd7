"""Pytest plugin: real infrastructure and a real stack as session fixtures.

Activated by the root conftest (`pytest_plugins = ["payroute_devstack.testing"]`).

- `infra`: a Tansu broker on a free port (unless KAFKA_BOOTSTRAP_SERVERS is set)
  and Postgres at PAYROUTE_POSTGRES_DSN, embedded when nothing answers there.
- `database_url_factory`: `database_url_factory("orders")` (a plain call)
  creates a uniquely named database and returns its SQLAlchemy asyncpg URL;
  all are dropped at session end.
- `stack`: all seven services on free ports with per-session databases and a
  seeded demo merchant; started only when a test asks for it. `stack.kill(name)`
  and `stack.restart(name)` are synchronous (`restart` blocks until ready: from
  async tests use `await asyncio.to_thread(stack.restart, name)`).

A test module that needs a stack of its own (several replicas of a service, say)
starts one with `start_stack(session_plan(dsn, replicas={"orchestrator": 2}),
infra, run_dir, base_env=whole_system_environ())` and stops it itself; then
`stack.kill("orchestrator", replica=1)` kills one replica.
"""

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

import pytest
import pytest_asyncio

from payroute_common.migrations import upgrade_to_head
from payroute_devstack.blocking import run_blocking
from payroute_devstack.databases import create_database, drop_database, unique_database_name
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN, sqlalchemy_url
from payroute_devstack.embedded_postgres import data_dir
from payroute_devstack.infra import Infra, start_infra
from payroute_devstack.plan import session_plan
from payroute_devstack.stack import Stack, start_stack

__all__ = ["DatabaseUrlFactory", "Infra", "Stack", "migrated_database", "whole_system_environ"]


class DatabaseUrlFactory(Protocol):
    def __call__(self, prefix: str = "test") -> str: ...


async def migrated_database(
    database_url_factory: DatabaseUrlFactory, migrations: Path, name: str
) -> str:
    """A new database brought to head by a service's migrations; its URL."""
    url = database_url_factory(name)
    await asyncio.to_thread(upgrade_to_head, migrations, url)
    return url


@pytest.fixture(scope="session")
def devstack_run_dir() -> Path:
    """Logs, pid files and embedded Postgres data for this session (kept for reading)."""
    path = Path(tempfile.mkdtemp(prefix="payroute-test-"))
    path.chmod(0o755)  # as root, the embedded server's own user must traverse it
    return path


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def infra(devstack_run_dir: Path) -> AsyncIterator[Infra]:
    started = await start_infra(
        devstack_run_dir,
        postgres_dsn=os.environ.get("PAYROUTE_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN,
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
    )
    yield started
    await started.stop()
    if started.postgres is not None:
        shutil.rmtree(data_dir(devstack_run_dir).parent, ignore_errors=True)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def database_url_factory(infra: Infra) -> AsyncIterator[DatabaseUrlFactory]:
    created: list[str] = []

    def make(prefix: str = "test") -> str:
        name = unique_database_name(prefix)
        run_blocking(lambda: create_database(infra.postgres_dsn, name))
        created.append(name)
        return sqlalchemy_url(infra.postgres_dsn, name)

    yield make
    for name in created:
        await drop_database(infra.postgres_dsn, name)


def whole_system_environ() -> dict[str, str]:
    """The process environment with the knobs whole-system tests need turned to seconds."""
    # Tests put providers in outage and back: a circuit they open must close within
    # seconds, not the production minute, or it would steer the tests that follow.
    return {
        **os.environ,
        "PROVIDER_WORKER_BREAKER_OPEN_S": "2",
        # A provider a test put in outage reads healthy again within seconds.
        "PROVIDER_WORKER_HEALTH_CHECK_INTERVAL_S": "2",
        # A timed-out charge lands just after the worker's 10 s timeout, and retries
        # and status queries fire within a fifth of a second of being due.
        "PROVIDER_SIMULATOR_TIMEOUT_HANG_S": "11",
        "ORCHESTRATOR_TIMER_POLL_INTERVAL_S": "0.2",
        # Unknown outcomes are asked about at most 20 s apart, so a charge a provider
        # holds for minutes is found within seconds of landing.
        "ORCHESTRATOR_STATUS_QUERY_DELAYS_S": "[2, 5, 10, 20]",
        # Whole-system tests run two stacks at once (scale-out and tracing start their
        # own, with replicas) on one Postgres whose default max_connections is 100:
        # small pools, about 30 connections a stack at most.
        "GATEWAY_API_DB_POOL_SIZE": "8",
        "WEBHOOK_INGEST_DB_POOL_SIZE": "4",
        "ORCHESTRATOR_DB_POOL_SIZE": "6",
        "PROVIDER_WORKER_DB_POOL_SIZE": "4",
        "RECONCILIATION_DB_POOL_SIZE": "4",
        "METRICS_EXPORTER_DB_POOL_SIZE": "4",
        # The size limit on settlement reports is tested by going past it: keep it small.
        "RECONCILIATION_MAX_REPORT_BYTES": str(16 * 1024 * 1024),
    }


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stack(infra: Infra, devstack_run_dir: Path) -> AsyncIterator[Stack]:
    started = await start_stack(
        session_plan(infra.postgres_dsn),
        infra,
        devstack_run_dir,
        provider_overrides={},
        base_env=whole_system_environ(),
    )
    yield started
    await started.stop()
    await started.drop_databases()
