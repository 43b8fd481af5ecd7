"""`/health` with every provider's state. The service's own checks (database, broker)
decide HEALTHY or UNHEALTHY as in every service (payroute_common.health); a provider
that cannot take payments (misconfigured: it refuses our credentials; unhealthy: its
circuit is open) makes a HEALTHY worker DEGRADED, never UNHEALTHY: the worker itself
runs and every other provider still takes payments, so a restart would fix nothing.
`/health/live` and `/health/ready` stay the runtime's: readiness ignores providers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from payroute_common.health import CHECK_TIMEOUT_S, Check
from payroute_common.runtime import ServiceRuntime
from provider_worker.guard import Providers
from provider_worker.health import health_of

DOWN = frozenset({"misconfigured", "unhealthy"})


def providers_view(providers: Providers) -> dict[str, dict[str, Any]]:
    """Each provider's state as `/health` shows it."""
    view = {}
    for name, guard in sorted(providers.guards.items()):
        breaker = guard.breaker
        view[name] = {
            "state": health_of(guard),
            "circuit": breaker.state,
            "consecutive_failures": breaker.consecutive_failures,
            "reason": guard.misconfigured or breaker.reason,
        }
    return view


def overall(service_failing: bool, started: bool, view: dict[str, dict[str, Any]]) -> str:
    if service_failing or not started:
        return "UNHEALTHY"
    if any(provider["state"] in DOWN for provider in view.values()):
        return "DEGRADED"
    return "HEALTHY"


async def _failure(check: Check) -> str | None:
    try:
        await asyncio.wait_for(check.probe(), CHECK_TIMEOUT_S)
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:300]
    return None


def health_router(
    checks: list[Check], providers: Providers, started: Callable[[], bool]
) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health")
    async def health() -> JSONResponse:
        failures = await asyncio.gather(*(_failure(check) for check in checks))
        view = providers_view(providers)
        status = overall(any(failures), started(), view)
        body = {
            "status": status,
            "checks": {
                check.name: {"ok": failure is None, "error": failure}
                for check, failure in zip(checks, failures, strict=True)
            },
            "providers": view,
        }
        return JSONResponse(body, status_code=503 if status == "UNHEALTHY" else 200)

    return router


def add_provider_health(app: FastAPI, runtime: ServiceRuntime, providers: Providers) -> None:
    """Serve this `/health` in place of the runtime's (registered first, so it wins)."""

    async def database() -> None:
        async with runtime.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def broker() -> None:
        if not await runtime.broker.ping(timeout=2.0):
            raise ConnectionError("broker did not answer")

    checks = [Check("database", database), Check("broker", broker)]
    app.include_router(health_router(checks, providers, lambda: runtime.started))
    app.router.routes.insert(0, app.router.routes.pop())
