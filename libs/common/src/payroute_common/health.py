"""`/health/live`, `/health/ready` and `/health` for every service.

Ready means the service can do its job: its database answers and its broker
connection is up. `/health` reports each check and an overall status:
HEALTHY (all pass), DEGRADED (only non-critical checks fail) or UNHEALTHY.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

CHECK_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Check:
    name: str
    probe: Callable[[], Awaitable[object]]
    critical: bool = True


async def _run(check: Check) -> str | None:
    try:
        await asyncio.wait_for(check.probe(), CHECK_TIMEOUT_S)
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:300] or type(error).__name__
    return None


def health_router(checks: list[Check], started: Callable[[], bool]) -> APIRouter:
    router = APIRouter(tags=["health"])

    async def results() -> dict[str, str | None]:
        errors = await asyncio.gather(*(_run(c) for c in checks))
        return {c.name: e for c, e in zip(checks, errors, strict=True)}

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        failures = {k: v for k, v in (await results()).items() if v}
        if not started():
            failures["startup"] = "starting"
        status = 503 if failures else 200
        return JSONResponse({"ready": not failures, "failures": failures}, status_code=status)

    @router.get("/health")
    async def health() -> JSONResponse:
        outcome = await results()
        critical = {c.name for c in checks if c.critical}
        failing = {k for k, v in outcome.items() if v}
        overall = "HEALTHY"
        if failing:
            overall = "UNHEALTHY" if failing & critical else "DEGRADED"
        if not started():
            overall = "UNHEALTHY"
        body: dict[str, Any] = {
            "status": overall,
            "checks": {k: {"ok": v is None, "error": v} for k, v in outcome.items()},
        }
        return JSONResponse(body, status_code=503 if overall == "UNHEALTHY" else 200)

    return router
