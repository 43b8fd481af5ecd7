"""The webhook audit log and the outbox rows of accepted webhooks: one statement per batch.

A batch is stored by one SQL statement on a pooled connection, outside any
explicit transaction: a statement is atomic by itself, so the audit rows and the
outbox rows of the events accepted land together or not at all, and a batch
costs one round trip to the database instead of four (BEGIN, audit rows, outbox
rows, COMMIT). The request waits for that round trip, so it is most of a
webhook's latency (docs/decisions/0003).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from payroute_common.outbox import OutgoingMessage
from webhook_ingest.domain import Status, settle_claims

COLUMNS = (
    "provider",
    "provider_event_id",
    "provider_event_type",
    "headers",
    "body",
    "body_size",
    "verified",
    "status",
    "error",
    "received_at",
)
# Rows travel as one array per column, whatever the batch size. The partial unique
# index (one `accepted` row per provider event id) is the dedupe: a claim that loses
# to a committed or concurrent one inserts nothing and is stored as `duplicate`, and
# only the claims that won put their event in the outbox, in the batch's order.
_STORE = """
WITH incoming AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::int8[], $7::bool[], $8::text[], $9::text[], $10::timestamptz[],
                         $11::int[])
        AS u(p, e, t, h, b, z, v, s, err, r, n)
), claimed AS (
    INSERT INTO webhook_requests ({columns})
    SELECT p, e, t, h::jsonb, b, z, v, s, err, r FROM incoming WHERE s = 'accepted'
    ON CONFLICT (provider, provider_event_id) WHERE status = 'accepted' DO NOTHING
    RETURNING provider, provider_event_id
), others AS (
    INSERT INTO webhook_requests ({columns})
    SELECT p, e, t, h::jsonb, b, z, v, CASE s WHEN 'accepted' THEN 'duplicate' ELSE s END,
           err, r
    FROM incoming i
    WHERE s <> 'accepted'
       OR NOT EXISTS (SELECT FROM claimed c WHERE c.provider = i.p AND c.provider_event_id = i.e)
), published AS (
    INSERT INTO {outbox} (topic, key, value, headers)
    SELECT m.topic, m.key, m.value, m.headers::jsonb
    FROM unnest($12::int[], $13::text[], $14::text[], $15::text[], $16::text[])
        AS m(n, topic, key, value, headers)
    JOIN incoming i USING (n)
    JOIN claimed c ON c.provider = i.p AND c.provider_event_id = i.e
    WHERE i.s = 'accepted'
    ORDER BY m.n
)
SELECT provider, provider_event_id FROM claimed
"""


class WebhookStore(Protocol):
    async def add_batch(
        self, rows: Sequence[Mapping[str, Any]], events: Sequence[OutgoingMessage | None]
    ) -> list[Status]:
        """Store every row, and `events[i]` for each row `i` accepted, atomically. An
        `accepted` row whose event was accepted before (or earlier in `rows`) is stored
        as `duplicate` and publishes nothing. The status each row was stored with."""


class SqlWebhookStore:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        outbox_table: str,
        topic_prefix: str,
        after_commit: Callable[[], None],
    ) -> None:
        self._engine = engine
        self._sql = _STORE.format(columns=", ".join(COLUMNS), outbox=outbox_table)
        self._prefix = topic_prefix
        self._after_commit = after_commit

    async def add_batch(
        self, rows: Sequence[Mapping[str, Any]], events: Sequence[OutgoingMessage | None]
    ) -> list[Status]:
        statuses = settle_claims(rows)
        settled = [{**row, "status": status} for row, status in zip(rows, statuses, strict=True)]
        async with self._engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None  # a pooled, checked-out connection
            won = {
                (r["provider"], r["provider_event_id"])
                for r in await driver.fetch(
                    self._sql, *_columns(settled), *self._events(events, statuses)
                )
            }
        for i, row in enumerate(rows):
            if statuses[i] == "accepted" and (row["provider"], row["provider_event_id"]) not in won:
                statuses[i] = "duplicate"
        if won:
            self._after_commit()
        return statuses

    def _events(
        self, events: Sequence[OutgoingMessage | None], statuses: Sequence[Status]
    ) -> list[list[Any]]:
        """The outbox arrays: each claim's event, numbered by its row."""
        numbered = [
            (n, event.row(self._prefix))
            for n, event in enumerate(events)
            if event and statuses[n] == "accepted"
        ]
        return [
            [n for n, _ in numbered],
            *([row[c] for _, row in numbered] for c in ("topic", "key", "value")),
            [json.dumps(row["headers"]) for _, row in numbered],
        ]


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    columns = [[json.dumps(row[c]) if c == "headers" else row[c] for row in rows] for c in COLUMNS]
    return [*columns, list(range(len(rows)))]
