"""Creating and dropping databases through the `postgres` maintenance database."""

import re
import secrets

import asyncpg  # type: ignore[import-untyped, unused-ignore]

from payroute_devstack.dsn import with_database

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _quoted(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"invalid database name {name!r}: use lower-case letters, digits, _")
    return f'"{name}"'


def unique_database_name(prefix: str) -> str:
    """`<prefix>_<8 hex>`, valid and short enough for Postgres."""
    clean = re.sub(r"[^a-z0-9_]", "_", prefix.lower())[:50] or "db"
    return f"{clean}_{secrets.token_hex(4)}"


async def create_database(dsn: str, name: str) -> bool:
    """Create `name` unless it exists. Returns True when it was created."""
    conn = await asyncpg.connect(with_database(dsn, "postgres"), timeout=10.0)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        await conn.execute(f"CREATE DATABASE {_quoted(name)}")
        return True
    except asyncpg.DuplicateDatabaseError:
        return False
    finally:
        await conn.close()


async def drop_database(dsn: str, name: str) -> None:
    """Drop `name` if it exists, disconnecting its sessions."""
    conn = await asyncpg.connect(with_database(dsn, "postgres"), timeout=10.0)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
    finally:
        await conn.close()


async def database_exists(dsn: str, name: str) -> bool:
    conn = await asyncpg.connect(with_database(dsn, "postgres"), timeout=10.0)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()
