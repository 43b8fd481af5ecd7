"""`python -m payroute_devstack migrate`: every service's migrations, without serving.

Services migrate themselves at start; this is for doing it ahead of time. Each
runs in its own interpreter (each `env.py` imports its own service's tables),
through the same `payroute_common.migrations.upgrade_to_head` a service uses.
"""

import asyncio
import importlib.util
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from payroute_devstack.databases import create_database
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN
from payroute_devstack.errors import DevstackError
from payroute_devstack.plan import needs_postgres, run_plan
from payroute_devstack.postgres import ensure_postgres
from payroute_devstack.services import SERVICES, ServiceSpec

_URL_VAR = "PAYROUTE_MIGRATE_DATABASE_URL"  # the URL goes by env, never on a command line
_UPGRADE = (
    "import os, sys; from pathlib import Path; "
    "from payroute_common.migrations import upgrade_to_head; "
    f"upgrade_to_head(Path(sys.argv[1]), os.environ[{_URL_VAR!r}])"
)


def migrations_dir(spec: ServiceSpec) -> Path | None:
    """`<package>/migrations` of the service, found without importing it."""
    found = importlib.util.find_spec(spec.module)
    if found is None or not found.submodule_search_locations:
        return None
    path = Path(next(iter(found.submodule_search_locations))) / "migrations"
    return path if (path / "env.py").is_file() else None


async def upgrade(spec: ServiceSpec, directory: Path, database_url: str) -> None:
    env = {**os.environ, _URL_VAR: database_url}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", _UPGRADE, str(directory)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        last = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise DevstackError(f"migrating {spec.name} failed (exit {done.returncode}):\n{last}")


async def migrate_all(
    run_dir: Path, environ: Mapping[str, str], services: tuple[ServiceSpec, ...] = SERVICES
) -> list[str]:
    """Create missing databases and upgrade each to head; one report line per service."""
    dsn = environ.get("PAYROUTE_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN
    server = await ensure_postgres(dsn, run_dir) if needs_postgres(environ, services) else None
    try:
        plan = run_plan(environ, dsn, services)
        for name in plan.owned_databases:
            await create_database(dsn, name)
        report = []
        for spec in services:
            if spec.name not in plan.database_urls:
                continue
            directory = migrations_dir(spec)
            if directory is None:
                report.append(f"{spec.name}: no migrations found, skipped")
                continue
            await upgrade(spec, directory, plan.database_urls[spec.name])
            report.append(f"{spec.name}: {spec.database} at head")
        return report
    finally:
        if server is not None:
            await server.stop(grace=30.0)
