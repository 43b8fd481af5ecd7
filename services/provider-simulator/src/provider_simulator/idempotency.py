"""Idempotency keys as providers implement them: replay, mismatch, in flight."""

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum

DEFAULT_TTL_S = 24 * 3600.0


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
    """Keys kept for `ttl_s` (Stripe: 24 h), at most `max_keys` of them, oldest dropped first."""

    def __init__(self, *, max_keys: int, ttl_s: float = DEFAULT_TTL_S) -> None:
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._max_keys = max_keys
        self._ttl_s = ttl_s

    def claim(self, key: str, request_fingerprint: str) -> Claim:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and now - entry.created > self._ttl_s:
            del self._entries[key]
            entry = None
        if entry is None:
            self._entries[key] = _Entry(request_fingerprint, now)
            while len(self._entries) > self._max_keys:
                self._entries.popitem(last=False)
            return Claim(ClaimState.NEW)
        if entry.fingerprint != request_fingerprint:
            return Claim(ClaimState.MISMATCH)
        if entry.response is None:
            return Claim(ClaimState.IN_FLIGHT)
        return Claim(ClaimState.REPLAY, entry.response)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def complete(self, key: str, response: StoredResponse) -> None:
        entry = self._entries.get(key)
        if entry is not None:
            entry.response = response

    def release(self, key: str) -> None:
        """Forget a claim whose request never began executing, so a retry may run it."""
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
