"""`/health/live`, `/health/ready` and `/health` for every service.

Ready means the service can do its job: its critical checks (its database and
its broker connection) pass and it has started. `/health` reports each check,
with whether it is critical, and an overall status: HEALTHY (all pass),
DEGRADED (only non-critical checks fail; 200) or UNHEALTHY (a critical check
fails, or the service has not started; 503). A service adds its own checks
(`critical=False` for what degrades it without stopping it, such as one
provider down) and details (sections of the body, such as every provider's
state) to its `HealthChecks`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse

CHECK_TIMEOUT_S = 2.0
RESERVED = frozenset({"status", "checks"})

Status = Literal["HEALTHY", "DEGRADED", "UNHEALTHY"]
Details = Callable[[], Mapping[str, Any]]


@dataclass(frozen=True)
class Check:
    """`probe` raises (or takes longer than CHECK_TIMEOUT_S) when the check fails."""

    name: str
    probe: Callable[[], Awaitable[object]]
    critical: bool = True


@dataclass(frozen=True)
class Outcome:
    check: Check
    error: str | None

    def view(self) -> dict[str, Any]:
        return {"ok": self.error is None, "critical": self.check.critical, "error": self.error}


@dataclass
class HealthChecks:
    """A service's checks and detail sections; read at each request, so they may be
    added after the routes are built."""

    checks: list[Check] = field(default_factory=list)
    details: dict[str, Details] = field(default_factory=dict)

    def add_check(self, check: Check) -> None:
        if any(c.name == check.name for c in self.checks):
            raise ValueError(f"a health check named {check.name!r} exists already")
        self.checks.append(check)

    def add_details(self, section: str, details: Details) -> None:
        """`details()` (JSON-ready) as `section` of the `/health` body."""
        if section in RESERVED or section in self.details:
            raise ValueError(f"health section {section!r} is taken")
        self.details[section] = details

    async def run(self, *, critical_only: bool = False) -> list[Outcome]:
        checks = [c for c in self.checks if c.critical or not critical_only]
        errors = await asyncio.gather(*(_failure(c) for c in checks))
        return [Outcome(c, e) for c, e in zip(checks, errors, strict=True)]


def overall(outcomes: list[Outcome], started: bool) -> Status:
    """UNHEALTHY when not started or a critical check fails; DEGRADED when only
    non-critical ones fail; else HEALTHY."""
    failing = [o for o in outcomes if o.error is not None]
    if not started or any(o.check.critical for o in failing):
        return "UNHEALTHY"
    return "DEGRADED" if failing else "HEALTHY"


async def _failure(check: Check) -> str | None:
    try:
        await asyncio.wait_for(check.probe(), CHECK_TIMEOUT_S)
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:300]
    return None


def health_router(checks: HealthChecks | list[Check], started: Callable[[], bool]) -> APIRouter:
    health_checks = checks if isinstance(checks, HealthChecks) else HealthChecks(list(checks))
    router = APIRouter(tags=["health"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready")
    async def ready() -> JSONResponse:
        outcomes = await health_checks.run(critical_only=True)
        failures = {o.check.name: o.error for o in outcomes if o.error}
        if not started():
            failures["startup"] = "starting"
        status = 503 if failures else 200
        return JSONResponse({"ready": not failures, "failures": failures}, status_code=status)

    @router.get("/health")
    async def health() -> JSONResponse:
        outcomes = await health_checks.run()
        status = overall(outcomes, started())
        body: dict[str, Any] = {
            "status": status,
            "checks": {o.check.name: o.view() for o in outcomes},
        }
        for section, details in health_checks.details.items():
            body[section] = details()
        return JSONResponse(body, status_code=503 if status == "UNHEALTHY" else 200)

    return router
