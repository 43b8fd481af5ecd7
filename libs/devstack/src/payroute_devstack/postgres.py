"""Ensure a Postgres server answers at the base DSN, starting an embedded one if not."""

from pathlib import Path

import asyncpg  # type: ignore[import-untyped, unused-ignore]

from payroute_devstack import dsn as dsns
from payroute_devstack.embedded_postgres import start_embedded_postgres
from payroute_devstack.errors import InfraError
from payroute_devstack.ports import port_is_open
from payroute_devstack.probes import postgres_connects
from payroute_devstack.process import ManagedProcess

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


async def postgres_answers(dsn: str) -> bool:
    """True when a session opens at dsn; False when nothing answers there."""
    try:
        return await postgres_connects(dsns.with_database(dsn, "postgres"))()
    except asyncpg.PostgresError as exc:
        raise InfraError(
            f"Postgres at {dsns.redacted(dsn)} answers but refuses the session: {exc}"
        ) from exc


async def ensure_postgres(
    dsn: str, run_dir: Path, *, within: float = 30.0
) -> ManagedProcess | None:
    """Use the server at dsn when it answers (None); else start an embedded one there."""
    if await postgres_answers(dsn):
        return None
    host, port = dsns.host_port(dsn)
    if host not in _LOCAL_HOSTS:
        raise InfraError(
            f"Postgres at {dsns.redacted(dsn)} does not answer, and it is not a local "
            "address where an embedded server could be started"
        )
    if port_is_open(host, port):
        raise InfraError(
            f"something listens on {host}:{port} but does not answer as Postgres; "
            "free the port or point PAYROUTE_POSTGRES_DSN elsewhere"
        )
    bind = "127.0.0.1" if host == "localhost" else host
    return await start_embedded_postgres(
        run_dir, host=bind, port=port, pg_user=dsns.user(dsn), within=within
    )
