"""Idempotency-Key rules (Stripe's semantics). Pure: no I/O.

A key belongs to one merchant. Its row is inserted in the transaction that
performs the request and stores the answer, so a concurrent duplicate blocks on
the unique index until the first commits, then replays that answer. While the
first request still waits (`Prefer: wait`) after its commit, the row is not
`completed` and a duplicate gets 409 `idempotency_request_in_progress`, unless
the row is older than `IN_PROGRESS_TIMEOUT` (its waiter is gone): then what was
stored is replayed. Keys are kept `RETENTION` and then purged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gateway_api.domain import Conflict, InvalidRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
IN_PROGRESS_TIMEOUT = timedelta(seconds=30)
RETENTION = timedelta(hours=24)
PURGE_INTERVAL_S = 600.0


@dataclass(frozen=True)
class IdempotentRequest:
    """A POST sent with an Idempotency-Key: the key and what the request was."""

    key: str
    fingerprint: str
    waiting: bool = False  # the answer is held (Prefer: wait) after the commit


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    status_code: int | None
    body: dict[str, Any] | None
    completed: bool
    created_at: datetime


class Replay(Exception):
    """The first answer to this key, to be sent again as is."""

    def __init__(self, status_code: int, body: dict[str, Any]) -> None:
        super().__init__(f"replay {status_code}")
        self.status_code = status_code
        self.body = body


def checked_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidRequest(
            f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} characters long.",
            param=HEADER,
            code="idempotency_key_invalid",
        )
    return key


def fingerprint(method: str, path: str, body: Any) -> str:
    """What makes two requests "the same": method, path and the body as canonical JSON."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


def answer_again(stored: StoredAnswer, request: IdempotentRequest, now: datetime) -> Replay:
    """The replay for a duplicate of `stored`, or the 409 that refuses it."""
    if stored.fingerprint != request.fingerprint:
        raise Conflict(
            "Keys for idempotent requests can only be used with the same parameters they were "
            "first used with. Use a new Idempotency-Key for a different request.",
            code="idempotency_key_reused",
        )
    in_flight = not stored.completed and now - stored.created_at < IN_PROGRESS_TIMEOUT
    if in_flight or stored.status_code is None or stored.body is None:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress; retry later.",
            code="idempotency_request_in_progress",
        )
    return Replay(stored.status_code, stored.body)
