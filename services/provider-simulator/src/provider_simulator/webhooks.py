"""Asynchronous webhook delivery: a queue drained by a few workers sharing one HTTP client."""

import asyncio
import contextlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import httpx
import structlog

from provider_simulator.scenarios import Scenario
from provider_simulator.webhook_schedule import schedule

log = structlog.get_logger(__name__)

Signer = Callable[[bytes], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook to send; `sign` builds the headers afresh for every attempt."""

    url: str
    body: bytes
    sign: Signer
    label: str
    attempt: int = 1


class WebhookDispatcher:
    """Fire-and-forget delivery that never blocks the caller; retries with backoff, then drops.
    At most `max_queued` deliveries wait to be sent, delayed ones included: beyond that,
    new ones are dropped (and logged), so an unreachable endpoint cannot grow memory."""

    def __init__(
        self,
        *,
        workers: int = 4,
        max_attempts: int = 5,
        backoff_s: float = 0.5,
        timeout_s: float = 10.0,
        max_queued: int = 100_000,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._workers = workers
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self._timeout_s = timeout_s
        self._transport = transport
        self._rng = rng or random.Random()
        self._max_queued = max_queued
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(maxsize=max_queued)
        self._timers: set[asyncio.TimerHandle] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None
        self._closing = False

    async def start(self) -> None:
        self._closing = False
        self._client = httpx.AsyncClient(transport=self._transport, timeout=self._timeout_s)
        self._tasks = [asyncio.create_task(self._work()) for _ in range(self._workers)]

    async def stop(self, drain_s: float = 2.0) -> None:
        """Deliver what is already queued (bounded by `drain_s`), then shut down."""
        self._closing = True
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout=drain_s)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def announce(self, deliveries: Sequence[Delivery], scenario: Scenario) -> None:
        """Send one request's webhooks as the provider's scenario says: on or off,
        delayed, jittered, duplicated, reordered (webhook_schedule.py). Every provider of
        the simulator sends through here."""
        for planned in schedule(deliveries, scenario, self._rng):
            self.submit(planned.delivery, delay_s=planned.delay_s)

    def submit(self, delivery: Delivery, *, delay_s: float = 0.0) -> None:
        if delay_s <= 0:
            self._enqueue(delivery)
            return
        if len(self._timers) + self._queue.qsize() >= self._max_queued:
            log.warning("webhook_dropped", reason="backlog_full", event_id=delivery.label)
            return
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle | None = None

        def fire() -> None:
            if timer is not None:
                self._timers.discard(timer)
            self._enqueue(delivery)

        timer = loop.call_later(delay_s, fire)
        self._timers.add(timer)

    def _enqueue(self, delivery: Delivery) -> None:
        try:
            self._queue.put_nowait(delivery)
        except asyncio.QueueFull:
            log.warning("webhook_dropped", reason="queue_full", event_id=delivery.label)

    async def _work(self) -> None:
        while True:
            delivery = await self._queue.get()
            try:
                await self._attempt(delivery)
            except Exception:  # a worker must outlive any one delivery
                log.exception("webhook_worker_error", event_id=delivery.label)
            finally:
                self._queue.task_done()

    async def _attempt(self, delivery: Delivery) -> None:
        assert self._client is not None
        failure: str
        try:
            response = await self._client.post(
                delivery.url, content=delivery.body, headers=dict(delivery.sign(delivery.body))
            )
        except httpx.HTTPError as exc:
            failure = type(exc).__name__
        else:
            if response.is_success:
                return
            failure = f"http_{response.status_code}"
        self._retry_or_drop(delivery, failure)

    def _retry_or_drop(self, delivery: Delivery, failure: str) -> None:
        if self._closing or delivery.attempt >= self._max_attempts:
            log.warning(
                "webhook_dropped",
                reason=failure,
                event_id=delivery.label,
                url=delivery.url,
                attempts=delivery.attempt,
            )
            return
        delay_s = self._backoff_s * 2 ** (delivery.attempt - 1)
        self.submit(replace(delivery, attempt=delivery.attempt + 1), delay_s=delay_s)
