"""Pruning the audit log on real Postgres: old rows go in batches, recent ones stay,
dedupe still holds for recent events, and one replica prunes at a time."""

import json
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from payroute_common.clock import utcnow
from webhook_ingest.retention import LOCK_KEY, AuditPruner

from .conftest import Ingest
from .test_webhook_store import event, signed

pytestmark = pytest.mark.integration

RETENTION = timedelta(days=30)


def pruner(ingest: Ingest, batch_size: int = 2) -> AuditPruner:
    engine = ingest.runtime.engine
    return AuditPruner(engine, retention=RETENTION, interval_s=3600, batch_size=batch_size)


async def insert_aged(ingest: Ingest, tag: str, age: timedelta, count: int) -> None:
    async with ingest.runtime.engine.begin() as connection:
        for i in range(count):
            await connection.execute(
                text(
                    "INSERT INTO webhook_requests (provider, provider_event_id, headers, body, "
                    "body_size, verified, status, received_at) VALUES ('stripe', :e, "
                    "CAST(:h AS jsonb), '{}', 2, true, 'accepted', :r)"
                ),
                {"e": f"evt_{tag}_{i}", "h": json.dumps({"x-tag": tag}), "r": utcnow() - age},
            )


async def tagged(ingest: Ingest, tag: str) -> int:
    rows = await ingest.rows(
        "SELECT count(*) AS n FROM webhook_requests WHERE headers ->> 'x-tag' = :t", t=tag
    )
    return int(rows[0].n)


async def test_rows_older_than_the_retention_are_pruned_and_recent_ones_stay(
    ingest: Ingest, client: httpx.AsyncClient
) -> None:
    old, recent = uuid.uuid4().hex, uuid.uuid4().hex
    await insert_aged(ingest, old, RETENTION + timedelta(days=1), 5)
    await insert_aged(ingest, recent, RETENTION - timedelta(days=1), 3)
    event_id = f"evt_{uuid.uuid4().hex}"
    body = event(event_id)
    assert (await client.post("/webhooks/stripe", content=body, headers=signed(body))).is_success

    deleted = await pruner(ingest).prune()  # batches of 2: three of them for five rows

    assert deleted >= 5
    assert (await tagged(ingest, old), await tagged(ingest, recent)) == (0, 3)
    # The recent event is still known: its redelivery is a duplicate with no second event.
    assert (await client.post("/webhooks/stripe", content=body, headers=signed(body))).is_success
    rows = await ingest.rows(
        "SELECT status FROM webhook_requests WHERE provider_event_id = :e ORDER BY id", e=event_id
    )
    assert [r.status for r in rows] == ["accepted", "duplicate"]


async def test_only_one_replica_prunes_at_a_time(ingest: Ingest) -> None:
    tag = uuid.uuid4().hex
    await insert_aged(ingest, tag, RETENTION + timedelta(days=2), 3)
    async with ingest.runtime.engine.begin() as other_replica:
        await other_replica.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        started = time.monotonic()
        assert await pruner(ingest).prune() == 0  # leaves the round to the holder, at once
        assert time.monotonic() - started < 5
    assert await tagged(ingest, tag) == 3
    assert await pruner(ingest).prune() >= 3
    assert await tagged(ingest, tag) == 0
