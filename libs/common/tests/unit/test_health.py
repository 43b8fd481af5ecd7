"""`/health`: critical checks decide UNHEALTHY (503), non-critical ones DEGRADED (200)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from payroute_common.health import Check, HealthChecks, health_router


async def passes() -> None:
    return None


async def fails() -> None:
    raise ConnectionError("no answer")


async def answer(checks: HealthChecks, path: str, started: bool = True) -> httpx.Response:
    app = FastAPI()
    app.include_router(health_router(checks, lambda: started))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get(path)


@pytest.mark.parametrize(
    ("database", "cache", "status", "code"),
    [
        (passes, passes, "HEALTHY", 200),
        (passes, fails, "DEGRADED", 200),
        (fails, passes, "UNHEALTHY", 503),
        (fails, fails, "UNHEALTHY", 503),
    ],
)
async def test_the_overall_status_follows_the_failing_checks_criticality(
    database: object, cache: object, status: str, code: int
) -> None:
    checks = HealthChecks(
        [Check("database", database), Check("cache", cache, critical=False)]  # type: ignore[arg-type]
    )

    response = await answer(checks, "/health")

    assert (response.status_code, response.json()["status"]) == (code, status)
    assert response.json()["checks"]["cache"]["critical"] is False
    assert response.json()["checks"]["database"]["critical"] is True


async def test_each_failing_check_says_why() -> None:
    checks = HealthChecks([Check("cache", fails, critical=False)])

    body = (await answer(checks, "/health")).json()

    assert body["checks"]["cache"] == {
        "ok": False,
        "critical": False,
        "error": "ConnectionError: no answer",
    }


async def test_a_service_not_started_is_unhealthy_and_not_ready() -> None:
    checks = HealthChecks([Check("database", passes)])

    health = await answer(checks, "/health", started=False)
    ready = await answer(checks, "/health/ready", started=False)

    assert (health.status_code, health.json()["status"]) == (503, "UNHEALTHY")
    assert ready.status_code == 503


async def test_readiness_ignores_non_critical_checks() -> None:
    checks = HealthChecks([Check("database", passes), Check("cache", fails, critical=False)])

    ready = await answer(checks, "/health/ready")

    assert (ready.status_code, ready.json()) == (200, {"ready": True, "failures": {}})


async def test_checks_and_details_added_after_the_routes_are_served() -> None:
    checks = HealthChecks([Check("database", passes)])
    app = FastAPI()
    app.include_router(health_router(checks, lambda: True))
    checks.add_check(Check("provider:stripe", fails, critical=False))
    checks.add_details("providers", lambda: {"stripe": {"state": "down"}})

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        body = (await client.get("/health")).json()

    assert body["status"] == "DEGRADED"
    assert body["providers"] == {"stripe": {"state": "down"}}


def test_a_section_cannot_hide_the_status_or_another_section() -> None:
    checks = HealthChecks()
    checks.add_details("providers", dict)
    for taken in ("status", "checks", "providers"):
        with pytest.raises(ValueError, match="taken"):
            checks.add_details(taken, dict)
    checks.add_check(Check("database", passes))
    with pytest.raises(ValueError, match="exists"):
        checks.add_check(Check("database", passes))
