"""Reads on a hot path, run straight on the pooled connection's asyncpg driver.

A SELECT is written as a SQLAlchemy expression (so it follows the table
definitions) and compiled once; each call then skips SQLAlchemy's per-statement
work (~0.5 ms of CPU) and, outside a transaction the unit of work has already
begun, runs without BEGIN/COMMIT round trips: SQLAlchemy's asyncpg adapter
begins a transaction only when it executes a statement itself. Inside a begun
transaction the read sees that transaction's state, as any other read would.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class HotRead:
    def __init__(self, query: Select[Any]) -> None:
        compiled = query.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self._names = tuple(compiled.positiontup or ())

    async def one_or_none(self, session: AsyncSession, **params: Any) -> Mapping[str, Any] | None:
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None  # a pooled, checked-out connection
        record: Mapping[str, Any] | None = await driver.fetchrow(
            self.sql, *(params[name] for name in self._names)
        )
        return record
