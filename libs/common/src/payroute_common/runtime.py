"""What every service process has: database, broker, outbox relay, health, lifecycle.

Each service's `app.bootstrap(settings=None)` builds a `ServiceRuntime`, registers
its consumers, routers and background work, and returns the app (whose lifespan is
`runtime.lifespan`); nothing is built at import time. `serve` migrates the database
and runs uvicorn on that factory; it is the body of each service's `__main__`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import structlog
import uvicorn
from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from sqlalchemy import MetaData, Table, text

from payroute_common.db import make_engine, make_session_factory
from payroute_common.health import Check, HealthChecks, health_router
from payroute_common.http import RequestIdMiddleware
from payroute_common.kafka import make_broker, make_producer
from payroute_common.logs import configure_logging
from payroute_common.metrics_route import metrics_router
from payroute_common.migrations import upgrade_to_head
from payroute_common.outbox import OutboxRelay
from payroute_common.settings import ServiceSettings
from payroute_common.topics import ensure_topics
from payroute_common.tracing import configure_tracing, exporting
from payroute_common.uow import UnitOfWork

log = structlog.get_logger(__name__)

UoW = TypeVar("UoW", bound=UnitOfWork)

KEEP_ALIVE_S = 75
NO_NATIVE_TELEMETRY = {"tracing": False, "metrics": False, "logs": False}


class ServiceRuntime:
    def __init__(self, settings: ServiceSettings, metadata: MetaData) -> None:
        configure_logging(settings.service_name, settings.log_level)
        configure_tracing(settings.service_name)
        self.settings = settings
        self.engine = make_engine(
            settings.database_url.get_secret_value(), pool_size=settings.db_pool_size
        )
        self.sessions = make_session_factory(self.engine)
        self.broker = make_broker(settings)
        self.outbox_table: Table | None = metadata.tables.get("outbox")
        self.inbox_table: Table | None = metadata.tables.get("inbox")
        self.relay: OutboxRelay | None = None
        if self.outbox_table is not None:
            self.relay = OutboxRelay(
                self.sessions,
                lambda: make_producer(settings),
                self.outbox_table,
                batch_size=settings.outbox_batch_size,
                poll_interval_s=settings.outbox_poll_interval_s,
                gather_s=settings.outbox_gather_s,
                lock_name=settings.service_name,
            )
        self.started = False
        # `/health`: the database and broker are critical; services add their own.
        self.health = HealthChecks(
            [Check("database", self._ping_database), Check("broker", self._ping_broker)]
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._background: list[Callable[[], Any]] = []

    def unit_of_work(self, kind: Callable[..., UoW], **dependencies: Any) -> UoW:
        """A new unit of work of the service's `kind` over this service's database;
        `dependencies` (a process-wide cache, say) go to its constructor as they are."""
        return kind(
            self.sessions,
            outbox_table=self.outbox_table,
            inbox_table=self.inbox_table,
            topic_prefix=self.settings.topic_prefix,
            after_commit=self.wake_outbox_relay,
            **dependencies,
        )

    def wake_outbox_relay(self) -> None:
        """After a commit that staged outbox rows: publish them now, not at the next poll."""
        if self.relay:
            self.relay.wake()

    def run_in_background(self, factory: Callable[[], Any]) -> None:
        """A coroutine factory started with the service and cancelled at shutdown."""
        self._background.append(factory)

    async def _ping_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def _ping_broker(self) -> None:
        if not await self.broker.ping(timeout=2.0):
            raise ConnectionError("broker did not answer")

    def create_app(self, *, serve_metrics: bool = True, **fastapi_args: Any) -> FastAPI:
        """The service's FastAPI app with health routes and, unless the service serves
        its own (`serve_metrics=False`), `GET /metrics` for the process's registry."""
        # FastAPI's own OpenTelemetry layer stays off: RequestIdMiddleware (or the
        # instrumentation, when spans are exported) already opens the request's span,
        # and the native layer costs a tenth of a millisecond per request even idle.
        fastapi_args.setdefault("telemetry", NO_NATIVE_TELEMETRY)
        app = FastAPI(lifespan=self.lifespan, **fastapi_args)
        app.add_middleware(RequestIdMiddleware, open_trace=not exporting())
        if exporting():
            FastAPIInstrumentor.instrument_app(
                app, excluded_urls="/health,/metrics", exclude_spans=["receive", "send"]
            )
        app.include_router(health_router(self.health, lambda: self.started))
        if serve_metrics:
            app.include_router(metrics_router())
        return app

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        settings = self.settings
        if settings.create_missing_topics:
            await ensure_topics(settings)
        await self.broker.start()
        if self.relay:
            await self.relay.start()
            self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        self._tasks += [asyncio.create_task(f()) for f in self._background]
        self.started = True
        _freeze_startup_heap()
        log.info("service_started", port=settings.port)
        try:
            yield
        finally:
            self.started = False
            await self._shutdown()

    async def _shutdown(self) -> None:
        # Consumers stop first (in-flight batches finish, offsets are committed),
        # then the relay publishes what they committed, then the producer closes.
        for subscriber in self.broker.subscribers:
            await subscriber.stop()
        if self.relay:
            await self.relay.drain_and_stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.broker.stop()
        if self.relay:
            await self.relay.stop()
        await self.engine.dispose()
        log.info("service_stopped")


def _freeze_startup_heap() -> None:
    """Move what start-up built (modules, app, models: most of the heap) out of the
    collector's reach. Full collections then scan only what requests leave behind:
    webhook-ingest's took 90-130 ms before, stalling every request in flight, and
    about 8 ms after (docs/decisions/0003)."""
    gc.collect()
    gc.freeze()


def serve(bootstrap_path: str, settings: ServiceSettings, migrations_dir: Path | None) -> None:
    """Migrate, then run under uvicorn the app that `bootstrap_path` (`pkg.app:bootstrap`)
    builds."""
    configure_logging(settings.service_name, settings.log_level)
    if migrations_dir is not None:
        upgrade_to_head(migrations_dir, settings.database_url.get_secret_value())
    uvicorn.run(
        bootstrap_path,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
        # Longer than clients' idle-connection expiry (httpx: 5 s), so a client
        # never sends a request on a connection the server is closing.
        timeout_keep_alive=KEEP_ALIVE_S,
    )
