"""A collection of provider objects (payment intents, refunds, …) that keeps the most
recently used ones live in memory and the rest, pickled, in the history file.

Why spill rather than forget: a status query may ask about any charge ever made, and
the settlement report names the objects behind a day's money, so every object stays
reachable. Why keep a live set at all: a provider operation reads an object, changes it
in place and answers from it; the live set makes that a dictionary lookup for recent
objects, and an object is pickled and written only when it leaves memory (a batch at a
time), not on every change, so a request pays for no disk write of its own. Because an
object is written back when it leaves the live set, nothing may hold it across an await
or a delay: hold its id and look it up again (the live set is far larger than the few
objects one operation touches).

Tags index objects by what they are looked up by besides their id (a Maya payment by
its request reference number, a Stripe intent by its metadata). They are taken when an
object is stored; after changing a tagged field of a live object, store it again
(`objects[key] = obj`) so that `find` sees the change. `find`, `peek`, `scan` and `page`
read without making objects live: treat what they return as read-only.
"""

import heapq
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import Generic, TypeVar, cast

from provider_simulator.storage.database import HistoryDb, Row, with_table
from provider_simulator.storage.key_filter import KeyFilter

V = TypeVar("V")
Tagger = Callable[[V], Iterable[str]]
SCAN_BATCH = 1_000
EVICT_BATCH = 256
NEWEST = 2**62
"""Above every position."""
_NO_TAGS: frozenset[str] = frozenset()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, value BLOB);
CREATE TABLE IF NOT EXISTS {table}_tags (
    tag TEXT NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tag, seq)
) WITHOUT ROWID;
"""
_STATEMENTS = {
    "write": "INSERT OR REPLACE INTO {table} (seq, key, value) VALUES (?, ?, ?)",
    "delete": "DELETE FROM {table} WHERE seq = ?",
    "count": "SELECT count(*) FROM {table}",
    "clear": "DELETE FROM {table}",
    "clear_tags": "DELETE FROM {table}_tags",
    "by_key": "SELECT seq, key, value FROM {table} WHERE key = ?",
    "at": "SELECT seq, key, value FROM {table} WHERE seq = ?",
    "older": "SELECT seq, key, value FROM {table} WHERE seq < ? ORDER BY seq DESC LIMIT ?",
    "newer": "SELECT seq, key, value FROM {table} WHERE seq > ? ORDER BY seq LIMIT ?",
    "tag": "INSERT INTO {table}_tags (tag, seq, key) VALUES (?, ?, ?)",
    "untag": "DELETE FROM {table}_tags WHERE tag = ? AND seq = ?",
    "tagged": "SELECT seq, key FROM {table}_tags WHERE tag = ?",
}


@dataclass(slots=True)
class _Live(Generic[V]):
    seq: int
    value: V
    tags: frozenset[str]
    written: frozenset[str] | None
    """The tags the table holds for it; None while it has no row."""


class SpillMap(MutableMapping[str, V]):
    """At most `hot` objects live; every object in insertion order."""

    def __init__(
        self, db: HistoryDb, table: str, *, hot: int, tags: Tagger[V] | None = None
    ) -> None:
        if hot < 1:
            raise ValueError(f"{table} must keep at least one object live")
        self._db = db
        self._sql = {name: with_table(sql, table) for name, sql in _STATEMENTS.items()}
        self._hot = hot
        self._batch = max(1, min(EVICT_BATCH, hot // 2))
        self._tagger = tags
        self._live: OrderedDict[str, _Live[V]] = OrderedDict()
        self._unwritten: dict[str, _Live[V]] = {}
        """Live objects without a row, in insertion order."""
        self._by_tag: dict[str, set[str]] = {}
        """Keys of live objects by tag."""
        self._last_seq = 0
        self._stored_keys = KeyFilter()
        db.define(with_table(_SCHEMA, table))

    @property
    def live(self) -> int:
        """How many objects are held in memory now."""
        return len(self._live)

    def __getitem__(self, key: str) -> V:
        live = self._live.get(key)
        if live is None:
            return self._hold(self._row(key)).value
        self._live.move_to_end(key)
        return live.value

    def __setitem__(self, key: str, value: V) -> None:
        live = self._live.get(key)
        if live is not None:
            self._live.move_to_end(key)
        else:
            row = self._stored_row(key)
            if row is None:
                self._last_seq += 1
                live = _Live(self._last_seq, value, self._tags_of(value), None)
                self._unwritten[key] = live
                self._enter(key, live)
                return
            live = self._hold(row)
        live.value = value
        tags = self._tags_of(value)
        if tags != live.tags:
            self._index(key, live.tags, add=False)
            self._index(key, tags, add=True)
            live.tags = tags

    def __delitem__(self, key: str) -> None:
        live = self._live.get(key) or self._hold(self._row(key))
        self._leave(key, live)
        if live.written is not None:
            self._db.write(self._sql["delete"], (live.seq,))
            self._db.write_many(self._sql["untag"], [(tag, live.seq) for tag in live.written])

    def __contains__(self, key: object) -> bool:
        if key in self._live:
            return True
        return isinstance(key, str) and self._stored_row(key) is not None

    def __iter__(self) -> Iterator[str]:
        for _, key, _ in self._ordered(newest_first=False):
            yield key

    def __len__(self) -> int:
        row = self._db.one(self._sql["count"])
        return (int(row[0]) if row else 0) + len(self._unwritten)

    def clear(self) -> None:
        self._live.clear()
        self._unwritten.clear()
        self._by_tag.clear()
        self._stored_keys.clear()
        self._db.write(self._sql["clear"])
        self._db.write(self._sql["clear_tags"])

    def peek(self, key: str) -> V | None:
        """The object under `key`, without making it live."""
        live = self._live.get(key)
        if live is not None:
            return live.value
        row = self._stored_row(key)
        return None if row is None else self._value(row)

    def find(
        self, tags: Sequence[str], *, every: bool = True, newest_first: bool = False
    ) -> list[V]:
        """The objects tagged with every one of `tags` (or any, with `every=False`), in
        insertion order (or newest first)."""
        matches: list[dict[int, str]] = []
        for tag in tags:
            found = {
                seq: key
                for seq, key in self._db.all(self._sql["tagged"], (tag,))
                if key not in self._live
            }
            found.update((self._live[key].seq, key) for key in self._by_tag.get(tag, ()))
            matches.append(found)
        if not matches:
            return []
        seqs = set(matches[0]).intersection(*matches[1:]) if every else set().union(*matches)
        keys = {seq: key for found in matches for seq, key in found.items()}
        return [self._at(seq, keys[seq]) for seq in sorted(seqs, reverse=newest_first)]

    def scan(self, *, newest_first: bool = False) -> Iterator[V]:
        """Every object, in insertion order (or newest first), read a batch at a time."""
        for row in self._ordered(newest_first=newest_first):
            yield self._value(row)

    def page(self, limit: int, *, before: str | None = None) -> tuple[list[tuple[str, V]], bool]:
        """Up to `limit` objects, newest first, older than the one under `before` when given;
        and whether there are more."""
        below = NEWEST if before is None else self._seq_of(before)
        if below is None:
            return [], False
        ordered = self._ordered(newest_first=True, below=below, batch=limit + 1)
        rows = list(islice(ordered, limit + 1))
        return [(row[1], self._value(row)) for row in rows[:limit]], len(rows) > limit

    def _ordered(
        self, *, newest_first: bool, below: int = NEWEST, batch: int = SCAN_BATCH
    ) -> Iterator[Row]:
        """Rows (seq, key, pickled value or None while unwritten) of every object (newest
        first: below position `below`): the table's, merged with the unwritten ones'."""
        unwritten = [(live.seq, key, None) for key, live in self._unwritten.items()]
        if newest_first:
            unwritten = [row for row in reversed(unwritten) if row[0] < below]
        stored = self._stored(newest_first=newest_first, below=below, batch=batch)
        return heapq.merge(stored, unwritten, key=itemgetter(0), reverse=newest_first)

    def _stored(self, *, newest_first: bool, below: int, batch: int) -> Iterator[Row]:
        """The table's rows a batch at a time, by position, so that writes between
        batches are safe."""
        bound, sql = (below, self._sql["older"]) if newest_first else (0, self._sql["newer"])
        while True:
            rows = self._db.all(sql, (bound, batch))
            yield from rows
            if len(rows) < batch:
                return
            bound = rows[-1][0]

    def _seq_of(self, key: str) -> int | None:
        live = self._live.get(key)
        if live is not None:
            return live.seq
        row = self._stored_row(key)
        return None if row is None else int(row[0])

    def _stored_row(self, key: str) -> Row | None:
        if not self._stored_keys.may_hold(key):
            return None
        return self._db.one(self._sql["by_key"], (key,))

    def _row(self, key: str) -> Row:
        row = self._stored_row(key)
        if row is None:
            raise KeyError(key)
        return row

    def _at(self, seq: int, key: str) -> V:
        live = self._live.get(key)
        if live is not None:
            return live.value
        row = self._db.one(self._sql["at"], (seq,))
        if row is None:
            raise LookupError(f"{key!r} has neither a row nor a live object")
        return self._value(row)

    def _value(self, row: Row) -> V:
        """The live object of a row's key, else the row's own."""
        live = self._live.get(row[1])
        if live is not None:
            return live.value
        return cast(V, pickle.loads(row[2]))  # noqa: S301 - the simulator's own file

    def _hold(self, row: Row) -> _Live[V]:
        """Make a stored object live."""
        value = cast(V, pickle.loads(row[2]))  # noqa: S301 - the simulator's own file
        tags = self._tags_of(value)
        live = _Live(int(row[0]), value, tags, tags)
        self._enter(row[1], live)
        return live

    def _enter(self, key: str, live: _Live[V]) -> None:
        self._live[key] = live
        self._index(key, live.tags, add=True)
        if len(self._live) > self._hot:
            self._spill(len(self._live) - self._hot + self._batch - 1)

    def _spill(self, count: int) -> None:
        """Write the `count` least recently used objects back and let them go."""
        rows: list[tuple[int, str, bytes]] = []
        tagged: list[tuple[str, int, str]] = []
        untagged: list[tuple[str, int]] = []
        for _ in range(count):
            key, live = self._live.popitem(last=False)
            self._leave(key, live)
            rows.append((live.seq, key, pickle.dumps(live.value, pickle.HIGHEST_PROTOCOL)))
            tags, written = self._tags_of(live.value), live.written or _NO_TAGS
            tagged.extend((tag, live.seq, key) for tag in tags - written)
            untagged.extend((tag, live.seq) for tag in written - tags)
        self._db.write_many(self._sql["write"], rows)
        for _, key, _ in rows:
            self._stored_keys.add(key)
        if untagged:
            self._db.write_many(self._sql["untag"], untagged)
        if tagged:
            self._db.write_many(self._sql["tag"], tagged)

    def _leave(self, key: str, live: _Live[V]) -> None:
        self._live.pop(key, None)
        self._unwritten.pop(key, None)
        self._index(key, live.tags, add=False)

    def _index(self, key: str, tags: frozenset[str], *, add: bool) -> None:
        for tag in tags:
            keys = self._by_tag.setdefault(tag, set())
            if add:
                keys.add(key)
            else:
                keys.discard(key)
                if not keys:
                    del self._by_tag[tag]

    def _tags_of(self, value: V) -> frozenset[str]:
        return frozenset(self._tagger(value)) if self._tagger else _NO_TAGS
