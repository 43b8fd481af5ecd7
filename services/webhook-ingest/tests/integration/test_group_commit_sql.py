"""The group-commit path against real Postgres: one atomic statement per batch, dedupe inside a
batch and across batches, and a bad row that does not take its batch down with it."""

import asyncio
import uuid

import pytest
from sqlalchemy import text

from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderWebhookReceived
from webhook_ingest.domain import IncomingWebhook, request_row
from webhook_ingest.group_commit import Entry, StoreUnavailableError, store_batch
from webhook_ingest.handlers import _event

from .conftest import Ingest

pytestmark = pytest.mark.integration


def entry(event_id: str) -> Entry:
    now = utcnow()
    message = ProviderWebhookReceived(
        provider="stripe",
        provider_event_id=event_id,
        provider_event_type="payment_intent.succeeded",
        subject="payment",
        outcome="succeeded",
        provider_reference=f"pi_{event_id}",
        payment_id="pay_batch",
        amount=100,
        currency="USD",
        received_at=now,
    )
    webhook = IncomingWebhook("stripe", b"{}", {"x-test": "1"}, now)
    row = request_row(
        webhook,
        status="accepted",
        verified=True,
        event_id=event_id,
        event_type=message.provider_event_type,
    )
    return Entry(row, _event(message), {})


async def stored(ingest: Ingest, prefix: str) -> list[tuple[str, str]]:
    rows = await ingest.rows(
        "SELECT provider_event_id, status FROM webhook_requests "
        "WHERE provider_event_id LIKE :p ORDER BY id",
        p=f"{prefix}%",
    )
    return [(r.provider_event_id, r.status) for r in rows]


async def published(ingest: Ingest, prefix: str) -> list[str]:
    rows = await ingest.rows(
        "SELECT value FROM outbox WHERE value::jsonb -> 'payload' ->> 'provider_event_id' LIKE :p",
        p=f"{prefix}%",
    )
    return sorted(
        ProviderWebhookReceived.model_validate(
            Envelope.model_validate_json(r.value).payload
        ).provider_event_id
        for r in rows
    )


async def test_one_batch_dedupes_within_itself_and_against_earlier_batches(
    ingest: Ingest,
) -> None:
    p = f"evt_{uuid.uuid4().hex[:8]}_"
    assert await store_batch(ingest.store, [entry(f"{p}old")]) == ["accepted"]
    ids = [f"{p}a", f"{p}b", f"{p}a", f"{p}old"]
    statuses = await store_batch(ingest.store, [entry(i) for i in ids])
    assert statuses == ["accepted", "accepted", "duplicate", "duplicate"]
    accepted = [(f"{p}old", "accepted"), (f"{p}a", "accepted"), (f"{p}b", "accepted")]
    duplicates = [(f"{p}a", "duplicate"), (f"{p}old", "duplicate")]
    assert sorted(await stored(ingest, p)) == sorted([*accepted, *duplicates])
    assert await published(ingest, p) == [f"{p}a", f"{p}b", f"{p}old"]


async def test_concurrent_writes_through_the_writer_accept_each_event_once(
    ingest: Ingest,
) -> None:
    p = f"evt_{uuid.uuid4().hex[:8]}_"
    ids = [f"{p}{i % 5}" for i in range(40)]
    statuses = await asyncio.gather(*(ingest.writer.write(entry(i)) for i in ids))
    assert statuses.count("accepted") == 5
    assert statuses.count("duplicate") == 35
    assert len(await stored(ingest, p)) == 40
    assert await published(ingest, p) == sorted({*ids})


async def test_a_bad_row_in_a_batch_does_not_lose_the_others(ingest: Ingest) -> None:
    p = f"evt_{uuid.uuid4().hex[:8]}_"
    bad = entry(f"{p}bad")
    poisoned = Entry({**bad.row, "status": "bogus"})  # breaks the table's check constraint
    with pytest.raises(Exception, match="ck_webhook_requests_status"):
        await store_batch(ingest.store, [entry(f"{p}x"), poisoned])
    assert await stored(ingest, p) == []  # that batch as a whole was rolled back
    results = await asyncio.gather(
        ingest.writer.write(entry(f"{p}1")),
        ingest.writer.write(poisoned),
        ingest.writer.write(entry(f"{p}2")),
        return_exceptions=True,
    )
    assert results[0] == results[2] == "accepted"
    assert isinstance(results[1], StoreUnavailableError)
    assert sorted(await stored(ingest, p)) == [(f"{p}1", "accepted"), (f"{p}2", "accepted")]
    assert await published(ingest, p) == [f"{p}1", f"{p}2"]
    async with ingest.runtime.engine.connect() as connection:
        assert await connection.scalar(text("SELECT 1")) == 1  # the pool is healthy after it
