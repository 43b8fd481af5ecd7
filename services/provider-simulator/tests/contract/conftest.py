"""The simulator in-process (ASGI over httpx) with every Stripe body it sends recorded:
each API response and each webhook event."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from provider_simulator.app import create_app
from provider_simulator.config import Settings

API_KEY = "sk_test_simulator_contract_0001"


class Recorder:
    """Every Stripe JSON body seen: API answers (with the request that got them) and the
    events webhooks carried."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, int, Any]] = []
        self.events: list[Any] = []

    def webhook(self, request: httpx.Request) -> httpx.Response:
        self.events.append(json.loads(request.content))
        return httpx.Response(200)

    async def answer(self, response: httpx.Response) -> None:
        await response.aread()
        if response.url.path.startswith("/v1/"):
            label = f"{response.request.method} {response.url.path}"
            self.answers.append((label, response.status_code, response.json()))

    def event_types(self) -> set[str]:
        return {event["type"] for event in self.events}


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def app(recorder: Recorder) -> AsyncIterator[FastAPI]:
    settings = Settings(
        stripe_api_key=API_KEY,
        stripe_webhook_secret="whsec_contract",
        webhook_base_url="http://ingest.test/webhooks",
        timeout_hang_s=0.2,
    )
    transport = httpx.MockTransport(recorder.webhook)
    app = create_app(settings, webhook_transport=transport, webhook_backoff_s=0.01)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def stripe_http(app: FastAPI, recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sim.test",
        headers={"Authorization": f"Bearer {API_KEY}"},
        event_hooks={"response": [recorder.answer]},
    ) as client:
        yield client
