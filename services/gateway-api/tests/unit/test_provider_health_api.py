"""`GET /health/payments`: provider-worker's per-provider view, for operator and admin keys."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway_api.admin.provider_health_routes import (
    ProviderHealthSource,
    provider_health_source,
    router,
)

WORKER_HEALTH = {
    "status": "DEGRADED",
    "checks": {},
    "providers": {
        "stripe": {"state": "up", "success_rate": 1.0, "average_latency_ms": 12.5},
        "xendit": {"state": "down", "success_rate": 0.2, "average_latency_ms": 900.0},
    },
}


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def answering(app: FastAPI, body: dict[str, Any] | None) -> None:
    async def read() -> dict[str, Any]:
        if body is None:
            raise httpx.ConnectError("connection refused")
        return body

    app.include_router(router)
    app.dependency_overrides[provider_health_source] = lambda: read


@pytest.mark.parametrize("role", ["operator", "admin"])
async def test_operators_see_every_providers_state(
    app: FastAPI, client: httpx.AsyncClient, store: Any, role: str
) -> None:
    answering(app, WORKER_HEALTH)
    merchant, _ = store.add_merchant()

    answer = await client.get("/health/payments", headers=auth(store.add_key(merchant.id, role)))

    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["unusable"]) == ("DEGRADED", ["xendit"])
    assert body["providers"] == WORKER_HEALTH["providers"]


async def test_merchant_keys_are_refused(
    app: FastAPI, client: httpx.AsyncClient, secret: str
) -> None:
    answering(app, WORKER_HEALTH)

    answer = await client.get("/health/payments", headers=auth(secret))

    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "insufficient_role"


async def test_no_answer_from_provider_worker_is_unknown_and_503(
    app: FastAPI, client: httpx.AsyncClient, store: Any
) -> None:
    answering(app, None)
    merchant, _ = store.add_merchant()

    answer = await client.get("/health/payments", headers=auth(store.add_key(merchant.id)))

    assert answer.status_code == 503
    assert answer.json()["status"] == "UNKNOWN"
    assert "ConnectError" in answer.json()["error"]


async def test_the_source_reads_provider_workers_health() -> None:
    def worker(request: httpx.Request) -> httpx.Response:
        assert request.url == "http://worker:8004/health"
        return httpx.Response(200, json=WORKER_HEALTH)

    source = ProviderHealthSource(provider_worker_url="http://worker:8004/")
    transport = httpx.MockTransport(worker)
    original = httpx.AsyncClient.__init__

    def with_transport(self: httpx.AsyncClient, **kwargs: Any) -> None:
        original(self, transport=transport, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(httpx.AsyncClient, "__init__", with_transport)
        assert await source.read() == WORKER_HEALTH
