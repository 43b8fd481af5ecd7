"""provider-worker's consumer dispatcher over a real, freshly migrated Postgres and the
real simulator.

No broker: commands are handed to the dispatcher as the consumer would hand them,
and the results stay in the outbox table to be read (the relay does not run).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text

from payroute_common.envelope import Envelope, Message
from payroute_common.runtime import ServiceRuntime
from payroute_common.uow import UnitOfWork
from payroute_devstack.batches import received
from payroute_devstack.testing import migrated_database
from provider_simulator.config import Settings as SimulatorSettings
from provider_simulator.testing import running_simulator
from provider_worker import __main__ as main_module
from provider_worker import consumers
from provider_worker.adapters.stripe import StripeAdapter
from provider_worker.config import Settings
from provider_worker.guard import Providers
from provider_worker.policy import ProviderPolicy
from provider_worker.tables import metadata

API_KEY = "sk_test_worker_integration_0001"
POLICY = ProviderPolicy(
    concurrency=8, timeout_s=10, rate_per_s=1000, breaker_threshold=5, breaker_open_s=60
)
MIGRATIONS = Path(main_module.__file__).parent / "migrations"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def runtime(database_url_factory: Any) -> AsyncIterator[ServiceRuntime]:
    url = await migrated_database(database_url_factory, MIGRATIONS, "provider_worker")
    runtime = ServiceRuntime(Settings(database_url=url), metadata)
    yield runtime
    await runtime.engine.dispose()


@dataclass
class Worker:
    runtime: ServiceRuntime
    simulator_url: str
    adapter: StripeAdapter

    async def handle(self, *envelopes: Envelope, adapter: StripeAdapter | None = None) -> None:
        """Hand `envelopes` to the worker as one batch, as the consumer does."""
        providers = Providers.build({"stripe": adapter or self.adapter}, POLICY)
        dispatcher = consumers.dispatcher(lambda: self.runtime.unit_of_work(UnitOfWork), providers)
        await dispatcher(received(*envelopes, topic="provider.commands"))

    async def results(self, payment_id: str) -> list[dict[str, Any]]:
        rows = await self.rows(
            "SELECT topic, value FROM outbox WHERE key = :key ORDER BY id", key=payment_id
        )
        assert all(row.topic == "provider.results" for row in rows)
        return [json.loads(row.value) for row in rows]

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.runtime.engine.connect() as connection:
            return list(await connection.execute(text(sql), params))

    async def moves(self, payment_id: str) -> list[tuple[str, int]]:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{self.simulator_url}/_sim/ledger", params={"payment_id": payment_id}
            )
        return [(m["kind"], m["amount"]) for m in response.json()]

    async def configure(self, **scenario: object) -> None:
        async with httpx.AsyncClient() as client:
            await client.put(f"{self.simulator_url}/_sim/providers/stripe", json=scenario)


def envelope(command: Message, payment_id: str) -> Envelope:
    return Envelope.wrap(
        command, producer="orchestrator", tenant_id="mer_worker", aggregate_id=payment_id
    )


@pytest.fixture
async def worker(runtime: ServiceRuntime) -> AsyncIterator[Worker]:
    settings = SimulatorSettings(
        stripe_api_key=API_KEY, stripe_webhook_secret="whsec_worker", timeout_hang_s=0.5
    )
    async with running_simulator(settings) as url:
        adapter = StripeAdapter(API_KEY, url, timeout_s=5)
        try:
            yield Worker(runtime, url, adapter)
        finally:
            await adapter.close()
