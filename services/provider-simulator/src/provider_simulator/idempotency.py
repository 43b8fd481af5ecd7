"""Idempotency keys as providers implement them: replay, mismatch, in flight.

A provider forgets a key after a while (Stripe: 24 hours,
https://docs.stripe.com/api/idempotent_requests), so the store does too: a key older
than `ttl_s` is gone. Within that lifetime a replay must work whenever it comes, and a
day of keys under load is too much to hold in memory, so the most recently claimed
`hot` keys stay in memory (where retries land, and where a request in flight holds its
claim) and older ones move to the history file, a batch at a time, where expired keys
are deleted. At most `max_keys` keys are kept on disk (checked every `PRUNE_EVERY` keys
spilled), the oldest forgotten first, so the file stays bounded whatever the load.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from provider_simulator.storage.database import HistoryDb, with_table
from provider_simulator.storage.key_filter import KeyFilter

DEFAULT_TTL_S = 24 * 3600.0
SPILL_BATCH = 256
PRUNE_EVERY = 1_000
"""Spilled keys between two deletions of expired and surplus keys."""
Clock = Callable[[], float]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS {table} (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    created REAL NOT NULL,
    status INTEGER,
    body BLOB,
    request_id TEXT
);
CREATE INDEX IF NOT EXISTS {table}_by_age ON {table} (created);
"""
_SELECT = "SELECT fingerprint, created, status, body, request_id FROM {table} WHERE key = ?"
_INSERT = """INSERT OR REPLACE INTO {table}
(key, fingerprint, created, status, body, request_id) VALUES (?, ?, ?, ?, ?, ?)"""
_COMPLETE = "UPDATE {table} SET status = ?, body = ?, request_id = ? WHERE key = ?"
_SURPLUS = "DELETE FROM {table} WHERE seq <= (SELECT max(seq) FROM {table}) - ?"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    body: bytes
    request_id: str


class ClaimState(Enum):
    NEW = "new"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_FLIGHT = "in_flight"


@dataclass(frozen=True, slots=True)
class Claim:
    state: ClaimState
    stored: StoredResponse | None = None


@dataclass(slots=True)
class _Entry:
    fingerprint: str
    created: float
    response: StoredResponse | None = None


def fingerprint(method: str, path: str, pairs: list[tuple[str, str]]) -> str:
    """Same method, path and parameters (in any order) give the same fingerprint."""
    digest = hashlib.sha256(f"{method} {path}".encode())
    for key, value in sorted(pairs):
        digest.update(f"\0{key}={value}".encode())
    return digest.hexdigest()


class IdempotencyStore:
    """Keys kept for `ttl_s`: the newest `hot` in memory, at most `max_keys` more on disk."""

    def __init__(
        self,
        db: HistoryDb,
        table: str,
        *,
        hot: int,
        max_keys: int,
        ttl_s: float = DEFAULT_TTL_S,
        clock: Clock = time.monotonic,
    ) -> None:
        self._db = db
        self._hot = hot
        self._max_keys = max_keys
        self._ttl_s = ttl_s
        self._clock = clock
        self._batch = max(1, min(SPILL_BATCH, hot // 2))
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._spilled = 0
        self._spilled_keys = KeyFilter()
        db.define(with_table(_SCHEMA, table))
        self._select = with_table(_SELECT, table)
        self._insert = with_table(_INSERT, table)
        self._complete = with_table(_COMPLETE, table)
        self._delete = with_table("DELETE FROM {table} WHERE key = ?", table)
        self._expire = with_table("DELETE FROM {table} WHERE created < ?", table)
        self._surplus = with_table(_SURPLUS, table)
        self._clear = with_table("DELETE FROM {table}", table)

    @property
    def live(self) -> int:
        """How many keys are held in memory now."""
        return len(self._entries)

    def claim(self, key: str, request_fingerprint: str) -> Claim:
        now = self._clock()
        entry = self._entries.get(key) or self._spilled_entry(key)
        if entry is not None and now - entry.created > self._ttl_s:
            self.release(key)
            entry = None
        if entry is None:
            self._entries[key] = _Entry(request_fingerprint, now)
            self._spill_over()
            return Claim(ClaimState.NEW)
        if entry.fingerprint != request_fingerprint:
            return Claim(ClaimState.MISMATCH)
        if entry.response is None:
            return Claim(ClaimState.IN_FLIGHT)
        return Claim(ClaimState.REPLAY, entry.response)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        return key in self._entries or self._spilled_entry(key) is not None

    def complete(self, key: str, response: StoredResponse) -> None:
        entry = self._entries.get(key)
        if entry is not None:
            entry.response = response
            return
        self._db.write(self._complete, (response.status, response.body, response.request_id, key))

    def release(self, key: str) -> None:
        """Forget a claim whose request never began executing, so a retry may run it."""
        if self._entries.pop(key, None) is None and self._spilled_keys.may_hold(key):
            self._db.write(self._delete, (key,))

    def clear(self) -> None:
        self._entries.clear()
        self._spilled_keys.clear()
        self._db.write(self._clear)

    def _spilled_entry(self, key: str) -> _Entry | None:
        if not self._spilled_keys.may_hold(key):
            return None
        row = self._db.one(self._select, (key,))
        if row is None:
            return None
        fingerprint_, created, status, body, request_id = row
        stored = None if status is None else StoredResponse(status, body, request_id)
        return _Entry(fingerprint_, created, stored)

    def _spill_over(self) -> None:
        """Past `hot` keys, write the oldest back, a batch at a time."""
        if len(self._entries) <= self._hot:
            return
        rows = []
        for _ in range(len(self._entries) - self._hot + self._batch - 1):
            key, entry = self._entries.popitem(last=False)
            stored = entry.response
            status, body, request_id = (
                (stored.status, stored.body, stored.request_id) if stored else (None, None, None)
            )
            rows.append((key, entry.fingerprint, entry.created, status, body, request_id))
        self._db.write_many(self._insert, rows)
        for row in rows:
            self._spilled_keys.add(row[0])
        self._spilled += len(rows)
        if self._spilled >= PRUNE_EVERY:
            self._spilled = 0
            self._db.write(self._expire, (self._clock() - self._ttl_s,))
            self._db.write(self._surplus, (self._max_keys,))
