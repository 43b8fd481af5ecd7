"""The simulator's history file: one SQLite database per running simulator.

Why SQLite: it is in the standard library, needs no server, and keeps any amount of
history on disk while answering the lookups the simulator needs (by id, by payment, by
day) from indexes. Why one connection used from the event loop only: every request's
effects are applied without awaiting (see the providers' pipelines), so the file sees one
writer, and reads on that connection see its own writes before they are committed.

Writes are batched: they join an open transaction that is committed every
`BATCH_ROWS` writes or `BATCH_S` seconds, whichever comes first. The file is scratch
space, not a record to recover (a restarted simulator starts empty, as it always has),
so it is written without fsync (`synchronous=OFF`) in WAL mode, and removed when the
simulator stops. It lives in `PROVIDER_SIMULATOR_DATA_DIR`, or in a temporary
directory of its own when that is unset.
"""

import os
import re
import sqlite3
import tempfile
import time
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

BATCH_ROWS = 20_000
BATCH_S = 1.0
CACHE_KIB = 16 * 1024
Row = tuple[Any, ...]
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=OFF",
    "PRAGMA temp_store=MEMORY",
    f"PRAGMA cache_size=-{CACHE_KIB}",
)


def with_table(template: str, table: str) -> str:
    """`template` with `{table}` replaced by `table`, checked to be a plain identifier
    (SQL binds values, not table names)."""
    if not _IDENTIFIER.match(table):
        raise ValueError(f"not a table name: {table!r}")
    return template.replace("{table}", table)


class HistoryDb:
    """The open history file; `close` (or garbage collection) removes it."""

    def __init__(self, data_dir: Path | None = None) -> None:
        scratch = None
        if data_dir is None:
            scratch = tempfile.TemporaryDirectory(prefix="provider-simulator-")
            data_dir = Path(scratch.name)
        data_dir.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix="history-", suffix=".sqlite3", dir=data_dir)
        os.close(handle)
        self.path = Path(name)
        self._connection = sqlite3.connect(
            name, isolation_level=None, check_same_thread=False, cached_statements=256
        )
        for pragma in _PRAGMAS:
            self._connection.execute(pragma)
        self._pending = 0
        self._opened_at = 0.0
        self._remove = weakref.finalize(self, _remove, self._connection, self.path, scratch)

    def define(self, schema: str) -> None:
        """Create tables and indexes (`CREATE … IF NOT EXISTS` statements)."""
        self.commit()
        self._connection.executescript(schema)

    def write(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        self._begin()
        cursor = self._connection.execute(sql, params)
        self._wrote(1)
        return cursor

    def write_many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        self._begin()
        cursor = self._connection.executemany(sql, rows)
        self._wrote(max(cursor.rowcount, 1))

    def one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        row: Row | None = self._connection.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self._connection.execute(sql, params).fetchall()

    def commit(self) -> None:
        if self._connection.in_transaction:
            self._connection.execute("COMMIT")
        self._pending = 0

    def close(self) -> None:
        self._remove()

    def _begin(self) -> None:
        if not self._connection.in_transaction:
            self._connection.execute("BEGIN")
            self._opened_at = time.monotonic()

    def _wrote(self, rows: int) -> None:
        self._pending += rows
        if self._pending >= BATCH_ROWS or time.monotonic() - self._opened_at >= BATCH_S:
            self.commit()


def _remove(
    connection: sqlite3.Connection, path: Path, scratch: tempfile.TemporaryDirectory[str] | None
) -> None:
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if scratch is not None:
        scratch.cleanup()
