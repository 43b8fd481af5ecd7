"""The group-commit writer over the in-memory store: batching, in-batch duplicates, failures."""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from payroute_common.clock import utcnow
from payroute_common.outbox import OutgoingMessage
from webhook_ingest.domain import IncomingWebhook, Status, request_row, settle_claims
from webhook_ingest.group_commit import Entry, GroupCommitWriter, StoreUnavailableError

from .fakes import FakeStore, FakeWebhookStore


def entry(event_id: str, status: Status = "accepted") -> Entry:
    webhook = IncomingWebhook("stripe", b"{}", {}, utcnow())
    row = request_row(
        webhook, status=status, verified=True, event_id=event_id, event_type="payment_intent.x"
    )
    return Entry(row)


def test_only_the_first_claim_of_an_event_in_a_batch_stands() -> None:
    rows = [entry(i, s).row for i, s in [("a", "accepted"), ("a", "accepted"), ("a", "rejected")]]
    assert settle_claims(rows) == ["accepted", "duplicate", "rejected"]


async def test_concurrent_requests_share_a_transaction(store: FakeStore) -> None:
    ids = ["e1", "e2", "e1", "e3"]
    statuses = await asyncio.gather(*(store.writer.write(entry(i)) for i in ids))
    assert statuses == ["accepted", "accepted", "duplicate", "accepted"]
    assert store.db.batches == [4]


class FlakyStore(FakeWebhookStore):
    """Refuses any batch that holds the poisoned event id."""

    async def add_batch(
        self, rows: Sequence[Mapping[str, Any]], events: Sequence[OutgoingMessage | None]
    ) -> list[Status]:
        if any(row["provider_event_id"] == "poison" for row in rows):
            raise ValueError("row refused")
        return await super().add_batch(rows, events)


async def test_a_failing_row_costs_only_its_own_request() -> None:
    db = FlakyStore()
    writer = GroupCommitWriter(db)
    task = asyncio.create_task(writer.run())
    await asyncio.sleep(0)
    try:
        results = await asyncio.gather(
            *(writer.write(entry(i)) for i in ["ok1", "poison", "ok2"]), return_exceptions=True
        )
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert results[0] == results[2] == "accepted"
    assert isinstance(results[1], StoreUnavailableError)
    assert [r["provider_event_id"] for r in db.rows] == ["ok1", "ok2"]


async def test_a_writer_that_is_not_running_refuses_at_once() -> None:
    writer = GroupCommitWriter(FakeWebhookStore())
    with pytest.raises(StoreUnavailableError):
        await writer.write(entry("e1"))
