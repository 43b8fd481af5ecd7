"""What one webhook request is and what became of it. Pure: no I/O."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Status = Literal["accepted", "rejected", "duplicate"]

# Credentials a caller might send along; never written to the audit log.
DROPPED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


@dataclass(frozen=True)
class IncomingWebhook:
    provider: str
    body: bytes
    headers: Mapping[str, str]  # lower-case names
    received_at: datetime


@dataclass(frozen=True)
class Outcome:
    status: Status
    error_code: str | None = None
    error_message: str | None = None


def audit_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in DROPPED_HEADERS}


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


def request_row(
    webhook: IncomingWebhook,
    *,
    status: Status,
    verified: bool,
    event_id: str | None,
    event_type: str | None,
    error: str | None = None,
    keep_body: bool = True,
) -> dict[str, Any]:
    return {
        "provider": webhook.provider,
        "provider_event_id": event_id,
        "provider_event_type": event_type,
        "headers": audit_headers(webhook.headers),
        "body": body_text(webhook.body) if keep_body else "",
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
