"""The worker's `/health`: every provider's state and record; a provider that cannot
take payments degrades the worker, never makes it unhealthy."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI

from payroute_common.health import Check, HealthChecks, health_router
from provider_worker.adapters.base import ProviderFailure
from provider_worker.guard import Providers
from provider_worker.health_route import CallRecord, add_provider_health, providers_view

from .fakes import POLICY, UNAVAILABLE, FakeAdapter, error

REFUSED = error("authentication", "api_key_invalid")


class FakeRuntime:
    """What `add_provider_health` uses of the runtime."""

    def __init__(self, database_up: bool = True) -> None:
        async def database() -> None:
            if not database_up:
                raise ConnectionError("refused")

        self.health = HealthChecks([Check("database", database)])
        self.background: list[Callable[[], Any]] = []

    def run_in_background(self, factory: Callable[[], Any]) -> None:
        self.background.append(factory)


async def get(runtime: FakeRuntime, path: str) -> httpx.Response:
    app = FastAPI()
    app.include_router(health_router(runtime.health, lambda: True))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
        return await client.get(path)


def worker(providers: Providers, database_up: bool = True) -> FakeRuntime:
    runtime = FakeRuntime(database_up)
    add_provider_health(FastAPI(), runtime, providers)  # type: ignore[arg-type]
    return runtime


async def test_a_misconfigured_provider_degrades_the_worker_and_readiness_ignores_it() -> None:
    adapters = {
        "hr_paymongo": FakeAdapter("hr_paymongo", REFUSED),
        "hr_xendit": FakeAdapter("hr_xendit"),
    }
    providers = Providers.build(adapters, POLICY)  # type: ignore[arg-type]
    runtime = worker(providers)
    healthy = (await get(runtime, "/health")).json()
    for guard in providers.guards.values():
        await guard.check_health()

    answer = await get(runtime, "/health")
    ready = await get(runtime, "/health/ready")

    assert healthy["status"] == "HEALTHY"
    assert (answer.status_code, answer.json()["status"]) == (200, "DEGRADED")
    body = answer.json()
    assert body["checks"]["database"] == {"ok": True, "critical": True, "error": None}
    assert body["checks"]["provider:hr_paymongo"]["critical"] is False
    assert body["checks"]["provider:hr_paymongo"]["ok"] is False
    assert body["checks"]["provider:hr_xendit"]["ok"] is True
    assert body["providers"]["hr_paymongo"]["state"] == "misconfigured"
    assert body["providers"]["hr_paymongo"]["reason"] == "authentication: api_key_invalid"
    assert body["providers"]["hr_xendit"]["state"] == "up"
    assert ready.status_code == 200


async def test_an_open_circuit_is_a_provider_down_and_the_worker_degraded() -> None:
    adapter = FakeAdapter("hr_down", UNAVAILABLE)
    providers = Providers.build({"hr_down": adapter}, POLICY)  # type: ignore[dict-item]
    for _ in range(POLICY.breaker_threshold):
        await providers.guards["hr_down"].check_health()

    answer = await get(worker(providers), "/health")

    assert (answer.status_code, answer.json()["status"]) == (200, "DEGRADED")
    assert answer.json()["providers"]["hr_down"]["state"] == "down"
    assert answer.json()["providers"]["hr_down"]["circuit"] == "open"


async def test_a_failing_database_is_unhealthy_whatever_the_providers() -> None:
    providers = Providers.build({"hr_db": FakeAdapter("hr_db")}, POLICY)  # type: ignore[dict-item]

    answer = await get(worker(providers, database_up=False), "/health")

    assert (answer.status_code, answer.json()["status"]) == (503, "UNHEALTHY")


async def test_the_record_shows_success_rate_latency_and_last_answer_and_failure() -> None:
    adapter = FakeAdapter("hr_record")
    providers = Providers.build({"hr_record": adapter}, POLICY)  # type: ignore[dict-item]
    guard = providers.guards["hr_record"]
    record = CallRecord()
    before = providers_view(providers, record)["hr_record"]
    for _ in range(3):
        await guard.call("authorize", adapter.health_check)
    adapter.failure = error("timeout", "http_500")
    with contextlib.suppress(ProviderFailure):
        await guard.call("authorize", adapter.health_check)

    view = providers_view(providers, record)["hr_record"]

    assert (before["calls"], before["success_rate"], before["last_success"]) == (0, None, None)
    assert view["calls"] == 4
    assert view["success_rate"] == 0.75
    assert view["average_latency_ms"] is not None
    assert view["average_latency_ms"] >= 0
    assert view["last_success"] is not None
    assert view["last_failure"] is not None
    assert view["state"] == "degraded"  # one failure in a row, circuit still closed
