"""What one webhook request is and what became of it. Pure: no I/O."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from webhook_ingest.redaction import audit_headers

Status = Literal["accepted", "rejected", "duplicate"]

# How much of a body that proved nothing is stored, unless configured otherwise.
UNVERIFIED_BODY_BYTES = 4096
# What a body claims about itself before it is verified is stored at most this long.
CLAIM_MAX_CHARS = 255


@dataclass(frozen=True)
class IncomingWebhook:
    """One request as read. `body` may be only the head of a body too large to read
    whole; `size` is then the size it declared (or the bytes seen before giving up)."""

    provider: str
    body: bytes
    headers: Mapping[str, str]  # lower-case names
    received_at: datetime
    size: int | None = None

    @property
    def body_size(self) -> int:
        return len(self.body) if self.size is None else self.size


@dataclass(frozen=True)
class Outcome:
    """What became of a request; `reason` (rejected only) is its metric outcome, finer
    than the answer's `error_code`, which does not tell a stale signature from a bad one."""

    status: Status
    error_code: str | None = None
    error_message: str | None = None
    reason: str | None = None

    @property
    def metric_outcome(self) -> str:
        return (self.reason or "rejected") if self.status == "rejected" else self.status


def body_text(body: bytes) -> str:
    """The body as storable text (Postgres text holds neither invalid UTF-8 nor NUL)."""
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def claimed_identity(body: bytes) -> tuple[str | None, str | None]:
    """The event id and type a body claims, for the audit log; unverified, best effort."""
    try:
        event: Any = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(event, dict):
        return None, None
    event_id, event_type = event.get("id"), event.get("type")
    return (
        event_id if isinstance(event_id, str) else None,
        event_type if isinstance(event_type, str) else None,
    )


def _claim(value: str | None) -> str | None:
    return value[:CLAIM_MAX_CHARS] if value is not None else None


def request_row(
    webhook: IncomingWebhook,
    *,
    status: Status,
    verified: bool,
    event_id: str | None,
    event_type: str | None,
    error: str | None = None,
    unverified_body_max: int | None = None,
) -> dict[str, Any]:
    """The audit row of one request; credentials redacted.

    A body that proved nothing (refused before or by its signature) is kept only
    up to `unverified_body_max` bytes, with its full size beside it: the log shows
    what was tried without handing its space to whoever tries. Verified bodies
    (accepted, duplicate, or signed but unreadable) are kept whole.
    """
    body = webhook.body
    if not verified and unverified_body_max is not None:
        body = body[:unverified_body_max]
        event_id, event_type = _claim(event_id), _claim(event_type)
    return {
        "provider": webhook.provider,
        "provider_event_id": event_id,
        "provider_event_type": event_type,
        "headers": audit_headers(webhook.headers),
        "body": body_text(body),
        "body_size": webhook.body_size,
        "verified": verified,
        "status": status,
        "error": error,
        "received_at": webhook.received_at,
    }


def settle_claims(rows: Sequence[Mapping[str, Any]]) -> list[Status]:
    """The status each row of one batch keeps, before the database has its say.

    A row stored as `accepted` claims its provider event id. Within one batch only
    the first claim of an id stands; later ones are `duplicate`, as they would
    be had they come in later batches. Other rows keep their status.
    """
    claimed: set[tuple[str, str | None]] = set()
    statuses: list[Status] = []
    for row in rows:
        status: Status = row["status"]
        if status == "accepted":
            key = (row["provider"], row["provider_event_id"])
            if key in claimed:
                status = "duplicate"
            claimed.add(key)
        statuses.append(status)
    return statuses
