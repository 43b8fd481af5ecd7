"""An in-memory webhook store (audit rows and published events), and the real
group-commit writer running over it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from payroute_common.envelope import Envelope
from payroute_common.outbox import OutgoingMessage
from webhook_ingest.domain import Status, settle_claims
from webhook_ingest.group_commit import GroupCommitWriter


class FakeWebhookStore:
    """Shared by every request in a test, like one database: the audit rows, what was
    published, and the size of each batch stored."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.published: list[tuple[str, str, Envelope]] = []
        # The message headers of each published event (its trace), in the same order.
        self.published_headers: list[dict[str, str]] = []
        self.batches: list[int] = []

    async def add_batch(
        self, rows: Sequence[Mapping[str, Any]], events: Sequence[OutgoingMessage | None]
    ) -> list[Status]:
        taken = {(r["provider"], r["provider_event_id"]) for r in self.accepted()}
        statuses = settle_claims(rows)
        for i, row in enumerate(rows):
            if statuses[i] == "accepted" and (row["provider"], row["provider_event_id"]) in taken:
                statuses[i] = "duplicate"
        for row, status, event in zip(rows, statuses, events, strict=True):
            self.rows.append({**row, "status": status})
            if status == "accepted" and event is not None:
                self.published.append((event.topic.name, event.key, event.envelope))
                self.published_headers.append(dict(event.headers))
        self.batches.append(len(rows))
        return statuses

    def accepted(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "accepted"]

    def statuses(self) -> list[str]:
        return [r["status"] for r in self.rows]


@dataclass
class FakeStore:
    db: FakeWebhookStore
    writer: GroupCommitWriter


@asynccontextmanager
async def fake_store() -> AsyncIterator[FakeStore]:
    db = FakeWebhookStore()
    writer = GroupCommitWriter(db)
    task = asyncio.create_task(writer.run())
    await asyncio.sleep(0)  # let the writer start
    try:
        yield FakeStore(db, writer)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
