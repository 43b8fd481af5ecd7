import asyncio

import structlog
from fastapi import FastAPI

from gateway_api import api, consumers, handlers
from gateway_api.analytics import api as analytics_api
from gateway_api.analytics.reader import SqlAnalyticsReader
from gateway_api.config import Settings
from gateway_api.idempotency import PURGE_INTERVAL_S
from gateway_api.payment_changes import PaymentWaiters
from gateway_api.store import GatewayUnitOfWork
from gateway_api.tables import metadata
from payroute_common.clock import utcnow
from payroute_common.http_metrics import HttpMetricsMiddleware
from payroute_common.runtime import ServiceRuntime

log = structlog.get_logger(__name__)


def build_app(runtime: ServiceRuntime, settings: Settings) -> FastAPI:
    """Routes, error mapping and limits over `runtime`'s database (tests reuse this)."""
    app = runtime.create_app(
        title="Payroute gateway-api",
        version="1",
        middleware=api.middleware(settings.max_request_body_bytes),
    )
    # Outermost: every answer is counted, the edge's own refusals included.
    app.add_middleware(HttpMetricsMiddleware, service=settings.service_name)
    waiters = PaymentWaiters()
    api.install(app, lambda: runtime.unit_of_work(GatewayUnitOfWork), waiters)
    analytics_api.install(
        app, SqlAnalyticsReader(runtime.engine), settings.analytics_max_range_days
    )
    dsn = settings.database_url.get_secret_value().replace("postgresql+asyncpg://", "postgresql://")
    runtime.run_in_background(lambda: waiters.listen(dsn))
    runtime.run_in_background(lambda: purge_idempotency_keys_forever(runtime))
    return app


async def purge_idempotency_keys_forever(runtime: ServiceRuntime) -> None:
    """Forget Idempotency-Keys past their retention, every `PURGE_INTERVAL_S`."""
    while True:
        try:
            async with runtime.unit_of_work(GatewayUnitOfWork) as uow:
                purged = await handlers.purge_idempotency_keys(utcnow(), uow=uow)
            if purged:
                log.info("idempotency_keys_purged", count=purged)
        except Exception:
            log.exception("idempotency_key_purge_failed")
        await asyncio.sleep(PURGE_INTERVAL_S)


settings = Settings()
runtime = ServiceRuntime(settings, metadata)
consumers.register(runtime)
app = build_app(runtime, settings)
