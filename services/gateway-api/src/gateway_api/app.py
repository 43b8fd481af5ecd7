"""gateway-api assembled: `bootstrap()` builds the runtime, the projection's consumer,
the routes and the background work. Nothing is built at import time."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from gateway_api.admin import pricing_routes, provider_health_routes, settings_routes
from gateway_api.analytics import routes as analytics_routes
from gateway_api.analytics.reader import SqlAnalyticsReader
from gateway_api.config import Settings
from gateway_api.edge import errors
from gateway_api.edge.body_limit import BodyLimitMiddleware
from gateway_api.edge.nul_guard import NulGuardMiddleware
from gateway_api.idempotency.purge import purge_idempotency_keys_forever
from gateway_api.payments import routes as payment_routes
from gateway_api.projection import consumer
from gateway_api.reads.changes import PaymentWaiters
from gateway_api.refunds import routes as refund_routes
from gateway_api.tables import metadata
from gateway_api.unit_of_work import GatewayUnitOfWork, UnitOfWorkFactory
from payroute_common.http_metrics import HttpMetricsMiddleware
from payroute_common.runtime import ServiceRuntime


def middleware(max_body_bytes: int) -> list[Middleware]:
    """Runs inside the runtime's request-id middleware, so every answer carries the id."""
    return [
        Middleware(errors.UnexpectedErrorMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=max_body_bytes),
        Middleware(NulGuardMiddleware),
    ]


def register_routes(
    app: FastAPI, new_unit_of_work: UnitOfWorkFactory, waiters: PaymentWaiters
) -> None:
    """The `/v1` API over `new_unit_of_work` (tests pass fakes), with its error mapping."""
    app.state.unit_of_work = new_unit_of_work
    app.state.payment_waiters = waiters
    errors.install(app)
    for routes in (
        payment_routes,
        refund_routes,
        settings_routes,
        pricing_routes,
        provider_health_routes,
    ):
        app.include_router(routes.router)


def build_app(runtime: ServiceRuntime, settings: Settings) -> FastAPI:
    """Routes, error mapping and limits over `runtime`'s database (tests reuse this)."""
    app = runtime.create_app(
        title="Payroute gateway-api",
        version="1",
        middleware=middleware(settings.max_request_body_bytes),
    )
    # Outermost: every answer is counted, the edge's own refusals included.
    app.add_middleware(HttpMetricsMiddleware, service=settings.service_name)
    waiters = PaymentWaiters()

    def new_unit_of_work() -> GatewayUnitOfWork:
        return runtime.unit_of_work(GatewayUnitOfWork)

    register_routes(app, new_unit_of_work, waiters)
    analytics_routes.install(
        app, SqlAnalyticsReader(runtime.engine), settings.analytics_max_range_days
    )
    dsn = settings.database_url.get_secret_value().replace("postgresql+asyncpg://", "postgresql://")
    runtime.run_in_background(lambda: waiters.listen(dsn))
    runtime.run_in_background(lambda: purge_idempotency_keys_forever(new_unit_of_work))
    return app


def bootstrap(settings: Settings | None = None) -> FastAPI:
    """The service as `python -m gateway_api` runs it (uvicorn's factory)."""
    settings = settings or Settings()
    runtime = ServiceRuntime(settings, metadata)
    consumer.register(runtime, lambda: runtime.unit_of_work(GatewayUnitOfWork))
    return build_app(runtime, settings)
