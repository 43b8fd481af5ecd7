"""An in-memory unit of work for metrics-exporter: the tables, committed or rolled back."""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Self

from metrics_exporter import consumers
from metrics_exporter.cache import CounterCache
from metrics_exporter.metrics import (
    PENDING_VERIFICATION_OLDEST,
    PENDING_VERIFICATIONS,
    RECONCILIATION_ISSUES_OPEN,
    CounterKey,
    GaugeKey,
    gauge_key,
)
from metrics_exporter.reconciliation import IssueState
from metrics_exporter.rules import PaymentStatus
from metrics_exporter.store import unix_ms
from payroute_common.consumer import Received
from payroute_common.envelope import Message
from payroute_devstack.batches import received


class FakeTables:
    def __init__(self) -> None:
        self.counters: dict[CounterKey, int] = {}
        self.once: set[str] = set()
        self.inbox: set[uuid.UUID] = set()
        self.statuses: dict[str, PaymentStatus] = {}
        self.issues: dict[str, IssueState] = {}


class FakeCounters:
    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables

    async def load_all(self) -> dict[CounterKey, int]:
        return dict(self._tables.counters)

    async def add(self, deltas: Mapping[CounterKey, int]) -> None:
        for key, value in deltas.items():
            self._tables.counters[key] = self._tables.counters.get(key, 0) + value

    async def claim_once(self, keys: Iterable[str]) -> set[str]:
        fresh = set(keys) - self._tables.once
        self._tables.once |= fresh
        return fresh


class FakeGauges:
    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables

    async def track(self, statuses: Sequence[PaymentStatus]) -> None:
        for status in statuses:
            kept = self._tables.statuses.get(status.payment_id)
            if kept is None or status.version > kept.version:
                entered = kept.since if kept and kept.status == status.status else status.since
                self._tables.statuses[status.payment_id] = dataclasses.replace(
                    status, since=entered
                )

    async def track_issues(self, issues: Sequence[IssueState]) -> None:
        for issue in issues:
            kept = self._tables.issues.get(issue.issue_id)
            if kept is None or (kept.open and not issue.open):
                self._tables.issues[issue.issue_id] = issue

    async def read(self) -> dict[GaugeKey, int]:
        pending = [s for s in self._tables.statuses.values() if s.status == "pending_verification"]
        values = {gauge_key(PENDING_VERIFICATIONS): len(pending)}
        if pending:
            oldest = min(s.since for s in pending)
            values[gauge_key(PENDING_VERIFICATION_OLDEST)] = unix_ms(oldest)
        for issue in self._tables.issues.values():
            if issue.open:
                key = gauge_key(RECONCILIATION_ISSUES_OPEN, **{"class": issue.issue_class})
                values[key] = values.get(key, 0) + 1
        return values


class FakeUnitOfWork:
    """Each transaction works on a copy of the committed tables."""

    def __init__(self, committed: FakeTables | None = None, *, fail_commit: bool = False) -> None:
        self.committed = committed or FakeTables()
        self.fail_commit = fail_commit
        self._working = FakeTables()
        self.counters = FakeCounters(self._working)
        self.gauges = FakeGauges(self._working)

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self.committed)
        self.counters = FakeCounters(self._working)
        self.gauges = FakeGauges(self._working)
        self._when_committed: list[Callable[[], None]] = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    async def claim(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        fresh = set(event_ids) - self._working.inbox
        self._working.inbox |= fresh
        return fresh

    def when_committed(self, action: Callable[[], None]) -> None:
        self._when_committed.append(action)

    async def commit(self) -> None:
        if self.fail_commit:
            raise ConnectionResetError("database went away")
        self.committed.__dict__.update(copy.deepcopy(self._working).__dict__)
        for action in self._when_committed:
            action()


async def handle_batch(batch: list[Received], *, uow: FakeUnitOfWork, cache: CounterCache) -> None:
    """`batch` through the service's consumer, over `uow`."""
    await consumers.counter(cache, lambda: uow)(batch)  # type: ignore[arg-type, return-value]


def with_ids(*messages: Message) -> list[Received]:
    """`messages` as one batch, each under a new event id."""
    return received(*messages)
