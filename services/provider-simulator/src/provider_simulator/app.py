"""Wiring: settings, the webhook dispatcher's lifespan, and the routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import structlog
from fastapi import FastAPI

from provider_simulator import admin_api, health_api
from provider_simulator.config import Settings
from provider_simulator.providers.maya import api as maya_api
from provider_simulator.providers.paymongo import api as paymongo_api
from provider_simulator.providers.stripe import api as stripe_api
from provider_simulator.providers.xendit import api as xendit_api
from provider_simulator.simulator import Simulator
from provider_simulator.webhooks import WebhookDispatcher

log = structlog.get_logger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    webhook_backoff_s: float = 0.5,
) -> FastAPI:
    settings = settings or Settings()
    dispatcher = WebhookDispatcher(
        workers=settings.webhook_workers,
        backoff_s=webhook_backoff_s,
        transport=webhook_transport,
    )
    simulator = Simulator(settings, dispatcher)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for name in settings.generated_secrets:
            log.warning("secret_generated", setting=name, note="value not logged")
        await dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()
            simulator.close()

    app = FastAPI(title="Payroute provider simulator", lifespan=lifespan)
    app.state.simulator = simulator
    app.include_router(health_api.router)
    app.include_router(admin_api.router)
    # PayMongo before Stripe: same /v1 paths, told apart by auth scheme (paymongo/routing.py).
    app.include_router(paymongo_api.router)
    app.include_router(paymongo_api.hosted_router)
    app.include_router(stripe_api.router)
    app.include_router(stripe_api.hosted_router)
    app.include_router(xendit_api.router)
    app.include_router(xendit_api.hosted_router)
    app.include_router(maya_api.router)
    app.include_router(maya_api.hosted_router)
    return app
