"""The webhook audit log, and webhook-ingest's unit of work (audit rows + outbox, one commit)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, Self

from sqlalchemy.ext.asyncio import AsyncSession

from payroute_common.uow import UnitOfWork, UnitOfWorkInterface
from webhook_ingest.domain import Status, settle_claims

COLUMNS = (
    "provider",
    "provider_event_id",
    "provider_event_type",
    "headers",
    "body",
    "verified",
    "status",
    "error",
    "received_at",
)
# One statement per batch whatever its size: rows travel as one array per column.
# The partial unique index (one `accepted` row per provider event id) is the dedupe:
# a claim that loses to a committed or concurrent one inserts nothing.
_INSERT = """
INSERT INTO webhook_requests ({columns})
SELECT p, e, t, h::jsonb, b, v, s, err, r
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[],
            $7::text[], $8::text[], $9::timestamptz[]) AS u(p, e, t, h, b, v, s, err, r)
""".format(columns=", ".join(COLUMNS))
_CLAIM = (
    _INSERT
    + "ON CONFLICT (provider, provider_event_id) WHERE status = 'accepted' DO NOTHING "
    + "RETURNING provider, provider_event_id"
)


class WebhookRequestRepository(Protocol):
    async def add_batch(self, rows: Sequence[Mapping[str, Any]]) -> list[Status]:
        """Store every row; an `accepted` row whose event was accepted before (or earlier
        in `rows`) is stored as `duplicate`. The status each row was stored with."""


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    """What the writer needs: the audit log, a way to publish (via the outbox), a commit."""

    @property
    def requests(self) -> WebhookRequestRepository: ...


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    return [[json.dumps(row[c]) if c == "headers" else row[c] for row in rows] for c in COLUMNS]


class SqlWebhookRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_batch(self, rows: Sequence[Mapping[str, Any]]) -> list[Status]:
        statuses = settle_claims(rows)
        claims = [i for i, status in enumerate(statuses) if status == "accepted"]
        connection = await self._session.connection()
        if claims:
            won = {
                (r.provider, r.provider_event_id)
                for r in await connection.exec_driver_sql(
                    _CLAIM, tuple(_columns([rows[i] for i in claims]))
                )
            }
            for i in claims:
                if (rows[i]["provider"], rows[i]["provider_event_id"]) not in won:
                    statuses[i] = "duplicate"
        rest = [
            {**row, "status": status}
            for row, status in zip(rows, statuses, strict=True)
            if status != "accepted"
        ]
        if rest:
            await connection.exec_driver_sql(_INSERT, tuple(_columns(rest)))
        return statuses


class WebhookUnitOfWork(UnitOfWork):
    requests: SqlWebhookRequestRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.requests = SqlWebhookRequestRepository(self.session)
        return self
