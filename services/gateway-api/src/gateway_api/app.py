from fastapi import FastAPI

from gateway_api import api, consumers
from gateway_api.config import Settings
from gateway_api.payment_changes import PaymentWaiters
from gateway_api.store import GatewayUnitOfWork
from gateway_api.tables import metadata
from payroute_common.runtime import ServiceRuntime


def build_app(runtime: ServiceRuntime, settings: Settings) -> FastAPI:
    """Routes, error mapping and limits over `runtime`'s database (tests reuse this)."""
    app = runtime.create_app(
        title="Payroute gateway-api",
        version="1",
        middleware=api.middleware(settings.max_request_body_bytes),
    )
    waiters = PaymentWaiters()
    api.install(app, lambda: runtime.unit_of_work(GatewayUnitOfWork), waiters)
    dsn = settings.database_url.get_secret_value().replace("postgresql+asyncpg://", "postgresql://")
    runtime.run_in_background(lambda: waiters.listen(dsn))
    return app


settings = Settings()
runtime = ServiceRuntime(settings, metadata)
consumers.register(runtime)
app = build_app(runtime, settings)
