"""The Stripe adapter against the real simulator over HTTP; what reached the simulator."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from provider_simulator.config import Settings
from provider_simulator.testing import SeenRequest, running_simulator
from provider_worker.adapters.stripe import StripeAdapter

API_KEY = "sk_test_adapter_0123456789"


@dataclass
class Simulator:
    url: str
    seen: list[SeenRequest]

    async def ledger(self) -> list[dict[str, Any]]:
        async with httpx.AsyncClient() as client:
            return list((await client.get(f"{self.url}/_sim/ledger")).json())

    async def moves(self) -> list[tuple[str, int]]:
        return [(m["kind"], m["amount"]) for m in await self.ledger()]

    async def configure(self, **scenario: object) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.put(f"{self.url}/_sim/providers/stripe", json=scenario)
            response.raise_for_status()

    def stripe_requests(self) -> list[SeenRequest]:
        return [r for r in self.seen if r.path.startswith("/v1/")]


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    settings = Settings(
        stripe_api_key=API_KEY, stripe_webhook_secret="whsec_adapter", timeout_hang_s=0.5
    )
    seen: list[SeenRequest] = []
    async with running_simulator(settings, seen=seen) as url:
        yield Simulator(url, seen)


@pytest.fixture
def simulator(sim: Simulator) -> str:
    return sim.url


@pytest.fixture
async def adapter(sim: Simulator) -> AsyncIterator[StripeAdapter]:
    adapter = StripeAdapter(API_KEY, sim.url, timeout_s=5)
    yield adapter
    await adapter.close()
