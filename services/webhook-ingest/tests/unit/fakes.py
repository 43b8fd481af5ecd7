"""An in-memory unit of work for webhook-ingest: rows and staged messages, committed or not."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from payroute_common.envelope import Envelope
from payroute_common.topics import TopicSpec


class FakeRequests:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)

    async def add_accepted(self, row: dict[str, Any]) -> bool:
        key = (row["provider"], row["provider_event_id"])
        if any((r["provider"], r["provider_event_id"]) == key for r in self.accepted()):
            return False
        self.rows.append({**row, "status": "accepted"})
        return True

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

    async def commit(self) -> None:
        self._pending_rows = len(self.requests.rows)
        self.published += self._staged
        self._staged = []

    def statuses(self) -> list[str]:
        return [r["status"] for r in self.requests.rows]
