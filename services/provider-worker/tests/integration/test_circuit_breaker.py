"""The worker as it runs (consumers, outbox relay, health checks) over the real broker
and the real simulator: a Stripe outage opens the circuit, later authorizations are
refused without reaching Stripe, the change is published on provider.health, and
recovery closes the circuit again."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from payroute_common.envelope import Envelope
from payroute_common.messages import AuthorizePayment, PaymentMethod
from payroute_common.topics import PROVIDER_COMMANDS, PROVIDER_HEALTH, PROVIDER_RESULTS, topic_name
from payroute_devstack.testing import migrated_database
from provider_simulator.config import Settings as SimulatorSettings
from provider_simulator.testing import SeenRequest, running_simulator
from provider_worker.app import bootstrap
from provider_worker.config import Settings

from .conftest import API_KEY, MIGRATIONS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning"),
]

OPEN_S = 4.0
WAIT_S = 30.0


@dataclass
class Topics:
    """Every record read so far from provider.health and provider.results."""

    consumer: AIOKafkaConsumer
    health_topic: str
    records: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def until(self, what: str, found: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT_S):
            while not found():
                batch = await self.consumer.getmany(timeout_ms=100)
                self.records += [
                    (record.topic, json.loads(record.value))
                    for records in batch.values()
                    for record in records
                ]
        assert found(), what

    def health(self) -> list[dict[str, Any]]:
        return [e["payload"] for topic, e in self.records if topic == self.health_topic]

    def changes(self) -> list[tuple[str | None, str]]:
        return [
            (e["previous_circuit"], e["circuit"])
            for e in self.health()
            if e["trigger"] == "state_change"
        ]

    def answers(self, payment_ids: list[str]) -> list[dict[str, Any]]:
        by_payment = {
            e["payload"]["payment_id"]: e
            for topic, e in self.records
            if topic != self.health_topic and e["payload"]["payment_id"] in payment_ids
        }
        return [by_payment[p] for p in payment_ids if p in by_payment]


@dataclass
class Running:
    settings: Settings
    simulator_url: str
    seen: list[SeenRequest]
    producer: AIOKafkaProducer
    topics: Topics
    metrics: httpx.AsyncClient

    async def authorize(self, count: int) -> list[str]:
        """Send `count` authorizations to provider.commands; their payment ids."""
        payment_ids = [f"pay_{uuid.uuid4().hex[:12]}" for _ in range(count)]
        topic = topic_name(PROVIDER_COMMANDS, self.settings.topic_prefix)
        for payment_id in payment_ids:
            command = AuthorizePayment(
                payment_id=payment_id,
                attempt_id=f"att_{payment_id}",
                provider="stripe",
                amount=2500,
                currency="PHP",
                capture_method="automatic",
                payment_method=PaymentMethod(type="card", token="pm_card_visa"),
            )
            envelope = Envelope.wrap(
                command, producer="test", tenant_id="mer_test", aggregate_id=payment_id
            )
            await self.producer.send_and_wait(
                topic, envelope.model_dump_json().encode(), key=payment_id.encode()
            )
        return payment_ids

    async def answered(self, payment_ids: list[str]) -> list[dict[str, Any]]:
        await self.topics.until(
            "every command answered",
            lambda: len(self.topics.answers(payment_ids)) == len(payment_ids),
        )
        return self.topics.answers(payment_ids)

    def creates(self) -> int:
        """PaymentIntent creations that reached the simulator."""
        return sum(1 for r in self.seen if (r.method, r.path) == ("POST", "/v1/payment_intents"))

    async def stripe_mode(self, mode: str) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.put(
                f"{self.simulator_url}/_sim/providers/stripe", json={"mode": mode}
            )
            response.raise_for_status()

    async def circuit_gauge(self, name: str = "payroute_provider_circuit_state") -> str:
        text = (await self.metrics.get("/metrics")).text
        (line,) = [
            line for line in text.splitlines() if line.startswith(f'{name}{{provider="stripe"}}')
        ]
        return line.rsplit(" ", 1)[1]


@pytest.fixture
async def running(infra: Any, database_url_factory: Any) -> AsyncIterator[Running]:
    url = await migrated_database(database_url_factory, MIGRATIONS, "provider_worker")
    seen: list[SeenRequest] = []
    simulator = SimulatorSettings(
        stripe_api_key=API_KEY, stripe_webhook_secret="whsec_breaker", timeout_hang_s=0.5
    )
    async with running_simulator(simulator, seen=seen) as simulator_url:
        settings = Settings(
            database_url=url,
            KAFKA_BOOTSTRAP_SERVERS=infra.bootstrap_servers,
            TOPIC_PREFIX=f"t{uuid.uuid4().hex[:8]}.",
            STRIPE_API_KEY=API_KEY,
            STRIPE_API_BASE=simulator_url,
            breaker_threshold=3,
            breaker_open_s=OPEN_S,
            health_check_interval_s=0.25,
            outbox_poll_interval_s=0.05,
            consumer_fetch_max_wait_ms=20,
        )
        app = bootstrap(settings)
        async with app.router.lifespan_context(app):
            health_topic = topic_name(PROVIDER_HEALTH, settings.topic_prefix)
            consumer = AIOKafkaConsumer(
                health_topic,
                topic_name(PROVIDER_RESULTS, settings.topic_prefix),
                bootstrap_servers=infra.bootstrap_servers,
                auto_offset_reset="earliest",
                fetch_max_wait_ms=20,
            )
            producer = AIOKafkaProducer(
                bootstrap_servers=infra.bootstrap_servers, enable_idempotence=False
            )
            await consumer.start()
            await producer.start()
            transport = httpx.ASGITransport(app=app)
            try:
                async with httpx.AsyncClient(transport=transport, base_url="http://w") as metrics:
                    yield Running(
                        settings,
                        simulator_url,
                        seen,
                        producer,
                        Topics(consumer, health_topic),
                        metrics,
                    )
            finally:
                await producer.stop()
                await consumer.stop()


async def test_an_outage_opens_the_circuit_and_recovery_closes_it(running: Running) -> None:
    topics = running.topics
    await topics.until(
        "a scheduled health check reported stripe healthy",
        lambda: any(e["health"] == "healthy" for e in topics.health()),
    )

    await running.stripe_mode("outage")
    failed = await running.answered(await running.authorize(5))
    await topics.until("the circuit opened", lambda: ("closed", "open") in topics.changes())

    assert {e["event_type"] for e in failed} == {"ProviderAttemptFailed"}
    errors = {(e["payload"]["error"]["category"], e["payload"]["error"]["code"]) for e in failed}
    # A 503 leaves the outcome undetermined; once open, the circuit refuses unseen.
    assert ("timeout", "http_503") in errors
    assert errors <= {("timeout", "http_503"), ("provider_unavailable", "circuit_open")}
    opened = next(e for e in topics.health() if e["circuit"] == "open")
    assert (opened["provider"], opened["health"], opened["consecutive_failures"]) == (
        "stripe",
        "unhealthy",
        3,
    )
    assert await running.circuit_gauge() == "2.0"
    assert await running.circuit_gauge("payroute_provider_up") == "0.0"

    creates_before = running.creates()
    refused = await running.answered(await running.authorize(3))

    assert [e["payload"]["error"]["code"] for e in refused] == ["circuit_open"] * 3
    assert running.creates() == creates_before

    await running.stripe_mode("normal")
    await topics.until(
        "a probe closed the circuit", lambda: ("half_open", "closed") in topics.changes()
    )
    recovered = await running.answered(await running.authorize(1))

    assert recovered[0]["event_type"] == "ProviderAttemptSucceeded"
    assert topics.health()[-1]["health"] == "healthy"
    assert await running.circuit_gauge() == "0.0"
    assert await running.circuit_gauge("payroute_provider_up") == "1.0"
