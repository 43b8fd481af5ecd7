"""Fixtures: the simulator app (lifespan running), a client over ASGI, a webhook sink."""

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from provider_simulator.app import create_app
from provider_simulator.config import Settings
from provider_simulator.simulator import Simulator

API_KEY = "sk_test_simulator_unit_key_0001"
WEBHOOK_SECRET = "whsec_simulator_unit_secret"


class WebhookSink:
    """Stands in for webhook-ingest: records every delivery; can fail the next N."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.fail_next = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.fail_next:
            self.fail_next -= 1
            return httpx.Response(503)
        return httpx.Response(200)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


async def wait_until(condition: Callable[[], bool], timeout_s: float = 3.0) -> None:
    """Wait for a condition with a deadline (no sleep-and-hope)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met before the deadline")
        await asyncio.sleep(0.01)


@pytest.fixture
def settings() -> Settings:
    """Two live objects per collection: every test also has objects leave memory for the
    history file and come back."""
    return Settings(
        stripe_api_key=API_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        webhook_base_url="http://ingest.test/webhooks",
        timeout_hang_s=0.3,
        hot_objects=2,
    )


@pytest.fixture
def sink() -> WebhookSink:
    return WebhookSink()


@pytest.fixture
async def app(settings: Settings, sink: WebhookSink) -> AsyncIterator[FastAPI]:
    app = create_app(
        settings, webhook_transport=httpx.MockTransport(sink.handle), webhook_backoff_s=0.01
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sim.test", headers=headers
    ) as client:
        yield client


class Harness:
    """What tests need: the client, the webhook sink, and shortcuts for common requests."""

    api_key = API_KEY
    webhook_secret = WEBHOOK_SECRET

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, sink: WebhookSink) -> None:
        self.simulator: Simulator = app.state.simulator
        self.client = client
        self.sink = sink
        self.wait_until = wait_until

    async def create_intent(
        self, *, idempotency_key: str | None = None, **overrides: str
    ) -> httpx.Response:
        form = {
            "amount": "2500",
            "currency": "php",
            "payment_method": "pm_card_visa",
            "confirm": "true",
            "capture_method": "automatic",
            "metadata[payment_id]": "pay_123",
            "description": "Order 42",
            **overrides,
        }
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return await self.client.post("/v1/payment_intents", data=form, headers=headers)

    async def post(
        self, path: str, form: dict[str, str] | None = None, *, idempotency_key: str | None = None
    ) -> httpx.Response:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return await self.client.post(path, data=form or {}, headers=headers)

    async def ledger(self, **params: str) -> list[dict[str, Any]]:
        response = await self.client.get("/_sim/ledger", params=params)
        assert response.status_code == 200
        result: list[dict[str, Any]] = response.json()
        return result

    async def configure(self, provider: str = "stripe", **scenario: Any) -> httpx.Response:
        return await self.client.put(f"/_sim/providers/{provider}", json=scenario)


@pytest.fixture
def sim(app: FastAPI, client: httpx.AsyncClient, sink: WebhookSink) -> Harness:
    return Harness(app, client, sink)
