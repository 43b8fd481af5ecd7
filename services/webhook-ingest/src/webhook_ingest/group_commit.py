"""Group commit: many concurrent webhook requests stored by one statement.

Each request must be stored durably before its 2xx. One commit (and one WAL
flush) per request caps a process at a few hundred requests per second; here
requests queue their rows and one writer stores whatever has queued up
meanwhile, audit rows and outbox rows together (store.py), then answers each
request's future. Under light load a batch is one request and nothing waits;
under heavy load batches grow by themselves while the previous one commits.

If a batch fails, its requests are stored again one by one, so one bad row
costs only its own request (which then gets `StoreUnavailableError`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from payroute_common.envelope import Envelope
from payroute_common.outbox import OutgoingMessage
from payroute_common.topics import PROVIDER_WEBHOOKS
from webhook_ingest.domain import Status
from webhook_ingest.store import WebhookStore

log = structlog.get_logger(__name__)


class StoreUnavailableError(RuntimeError):
    """The request could not be stored; it must not be acknowledged."""


@dataclass(frozen=True)
class Entry:
    """One request's audit row and, if it is accepted, the event to publish (key, envelope)."""

    row: dict[str, Any]
    event: tuple[str, Envelope] | None = None
    trace_headers: dict[str, str] = field(default_factory=dict)


async def store_batch(store: WebhookStore, entries: Sequence[Entry]) -> list[Status]:
    """Store `entries` atomically; the status each one got."""
    events = [
        OutgoingMessage(PROVIDER_WEBHOOKS, *entry.event, entry.trace_headers)
        if entry.event
        else None
        for entry in entries
    ]
    return await store.add_batch([entry.row for entry in entries], events)


class GroupCommitWriter:
    """`write` queues an entry and waits for its batch; `run` is the writer loop."""

    def __init__(self, store: WebhookStore, *, max_batch: int = 500) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Entry, asyncio.Future[Status]]] = asyncio.Queue()
        self._running = False

    async def write(self, entry: Entry) -> Status:
        if not self._running:
            raise StoreUnavailableError("the webhook writer is not running")
        done: asyncio.Future[Status] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((entry, done))
        return await done

    async def run(self) -> None:
        self._running = True
        try:
            while True:
                batch = [await self._queue.get()]
                while len(batch) < self._max_batch and not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                await self._flush(batch)
        finally:
            self._running = False
            self._fail_queued()

    async def _flush(self, batch: list[tuple[Entry, asyncio.Future[Status]]]) -> None:
        try:
            statuses = await store_batch(self._store, [entry for entry, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                _resolve(batch[0][1], error=error)
                return
            log.warning("webhook_batch_failed", size=len(batch), error=str(error)[:200])
            for one in batch:
                await self._flush([one])
            return
        for (_, done), status in zip(batch, statuses, strict=True):
            _resolve(done, status)

    def _fail_queued(self) -> None:
        while not self._queue.empty():
            _, done = self._queue.get_nowait()
            _resolve(done, error=RuntimeError("the webhook writer stopped"))


def _resolve(
    done: asyncio.Future[Status], status: Status | None = None, error: Exception | None = None
) -> None:
    if done.done():  # the request gave up (client went away)
        return
    if status is not None:
        done.set_result(status)
        return
    log.error("webhook_not_stored", error=str(error)[:200])
    done.set_exception(StoreUnavailableError(str(error)))
