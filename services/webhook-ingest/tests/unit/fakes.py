"""An in-memory unit of work for webhook-ingest (rows and staged messages, committed or
not), and the real group-commit writer running over it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from payroute_common.envelope import Envelope
from payroute_common.topics import TopicSpec
from webhook_ingest.domain import Status, settle_claims
from webhook_ingest.group_commit import GroupCommitWriter


class FakeRequests:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.batches: list[int] = []

    async def add_batch(self, rows: Sequence[Mapping[str, Any]]) -> list[Status]:
        taken = {(r["provider"], r["provider_event_id"]) for r in self.accepted()}
        statuses = settle_claims(rows)
        for i, row in enumerate(rows):
            if statuses[i] == "accepted" and (row["provider"], row["provider_event_id"]) in taken:
                statuses[i] = "duplicate"
            self.rows.append({**row, "status": statuses[i]})
        self.batches.append(len(rows))
        return statuses

    def accepted(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["status"] == "accepted"]


class FakeUnitOfWork:
    """Shared by every request in a test, like one database."""

    def __init__(self) -> None:
        self.requests = FakeRequests()
        self.published: list[tuple[str, str, Envelope]] = []
        self._pending_rows = 0
        self._staged: list[tuple[str, str, Envelope]] = []

    async def __aenter__(self) -> Self:
        self._pending_rows = len(self.requests.rows)
        self._staged = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        del self.requests.rows[self._pending_rows :]  # roll back what was not committed
        self._staged = []

    def publish(
        self, topic: TopicSpec, key: str, envelope: Envelope, headers: dict[str, str] | None = None
    ) -> None:
        self._staged.append((topic.name, key, envelope))

    async def claim(self, consumer: str, event_ids: object) -> set[object]:
        raise NotImplementedError

    async def commit(self) -> None:
        self._pending_rows = len(self.requests.rows)
        self.published += self._staged
        self._staged = []

    def statuses(self) -> list[str]:
        return [r["status"] for r in self.requests.rows]


@dataclass
class FakeStore:
    uow: FakeUnitOfWork
    writer: GroupCommitWriter


@asynccontextmanager
async def fake_store() -> AsyncIterator[FakeStore]:
    uow = FakeUnitOfWork()
    writer = GroupCommitWriter(lambda: uow)
    task = asyncio.create_task(writer.run())
    await asyncio.sleep(0)  # let the writer start
    try:
        yield FakeStore(uow, writer)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
