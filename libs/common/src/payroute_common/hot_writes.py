"""A commit's new rows in one statement, run straight on the pooled asyncpg driver.

A request that creates something writes a few rows (the new row, its outbox
message, perhaps its idempotent answer). Sent one by one inside BEGIN ... COMMIT
they cost a round trip each plus two; sent as one statement — an INSERT per table,
all but the last as data-modifying `WITH` parts — they cost one, and a single statement is
atomic by itself. Inside a transaction the unit of work has already begun, the
statement joins it. Postgres runs the parts on one snapshot and checks foreign
keys at the statement's end, so the parts' order does not matter.

The statement is built by SQLAlchemy from the table definitions, compiled once
per shape (which tables, which columns, in what order), and values go through
each column type's own bind processor, as SQLAlchemy would send them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]

# More rows than this go the ordinary way: a statement's parameters are bounded
# (32,767) and each shape is a statement compiled and prepared once per connection.
MAX_ROWS = 16


@dataclass(frozen=True)
class NewRow:
    table: Table
    values: Mapping[str, Any]


# What a repository is given to add a row at commit (`UnitOfWork.insert_on_commit`).
InsertOnCommit = Callable[[Table, Mapping[str, Any]], None]

Shape = tuple[tuple[Table, tuple[str, ...], int], ...]  # table, columns, rows
Bind = tuple[int, str, Callable[[Any], Any] | None]


@lru_cache(maxsize=128)
def _compiled(shape: Shape) -> tuple[str, tuple[Bind, ...]]:
    """The SQL for rows of `shape` (one multi-row INSERT per group), and per positional
    parameter: the row's place in group order, the column, its bind processor."""
    parts, first = [], 0
    for table, names, count in shape:
        values = [
            {name: bindparam(f"r{row}_{name}", type_=table.c[name].type) for name in names}
            for row in range(first, first + count)
        ]
        parts.append(insert(table).values(values))
        first += count
    statement = parts[-1]
    for i, part in enumerate(parts[:-1]):
        statement = statement.add_cte(part.cte(f"part{i}"))
    compiled = statement.compile(dialect=_DIALECT)
    tables = [table for table, _, count in shape for _ in range(count)]
    binds: list[Bind] = []
    for position in compiled.positiontup or ():
        row, name = position[1:].split("_", 1)
        impl = tables[int(row)].c[name].type.dialect_impl(_DIALECT)
        binds.append((int(row), name, impl.bind_processor(_DIALECT)))
    return str(compiled), tuple(binds)


def _grouped(rows: Sequence[NewRow]) -> tuple[Shape, list[NewRow]]:
    """Rows of one table with the same columns go in one INSERT, in the order given, so
    a serial key (the outbox's) follows that order; the groups' order does not matter."""
    groups: dict[tuple[Table, tuple[str, ...]], list[NewRow]] = {}
    for row in rows:
        groups.setdefault((row.table, tuple(row.values)), []).append(row)
    shape = tuple((table, names, len(group)) for (table, names), group in groups.items())
    return shape, [row for group in groups.values() for row in group]


async def insert_rows(session: AsyncSession, rows: Sequence[NewRow]) -> None:
    """Insert `rows` in one statement on the session's connection (at most MAX_ROWS)."""
    if not rows:
        return
    if len(rows) > MAX_ROWS:
        raise ValueError(f"{len(rows)} rows: at most {MAX_ROWS} go in one statement")
    shape, ordered = _grouped(rows)
    sql, binds = _compiled(shape)
    values = [
        process(ordered[row].values[name]) if process else ordered[row].values[name]
        for row, name, process in binds
    ]
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None  # a pooled, checked-out connection
    await driver.execute(sql, *values)
