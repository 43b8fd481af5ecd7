"""provider.health: breaker changes and scheduled checks reported, in order, per provider."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderHealthChanged
from payroute_common.metrics_route import metrics_router
from payroute_common.topics import PROVIDER_HEALTH, TopicSpec
from provider_worker.guard import Providers
from provider_worker.health import HealthChecker, HealthReporter

from .fakes import POLICY as FAKE_POLICY
from .fakes import UNAVAILABLE, FakeAdapter, FakeClock

POLICY = FAKE_POLICY.model_copy(update={"breaker_threshold": 2})


class FakeUnitOfWork:
    """Keeps what was published once committed."""

    def __init__(self, committed: list[tuple[TopicSpec, str, Envelope]]) -> None:
        self._committed = committed
        self._staged: list[tuple[TopicSpec, str, Envelope]] = []

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._staged = []

    def publish(self, topic: TopicSpec, key: str, envelope: Envelope) -> None:
        self._staged.append((topic, key, envelope))

    async def commit(self) -> None:
        self._committed += self._staged


class World:
    def __init__(self, *names: str) -> None:
        self.published: list[tuple[TopicSpec, str, Envelope]] = []
        self.reporter = HealthReporter(lambda: FakeUnitOfWork(self.published))  # type: ignore[arg-type, return-value]
        self.clock = FakeClock()
        self.adapters = {name: FakeAdapter(name) for name in names}
        self.providers = Providers.build(
            dict(self.adapters),  # type: ignore[arg-type]
            POLICY,
            on_change=self.reporter.changed,
            clock=self.clock,
        )
        self.checker = HealthChecker(self.providers, self.reporter, interval_s=15)

    async def flush(self) -> list[dict[str, Any]]:
        """Publish what the reporter holds; every event published so far, as payloads."""
        await self.reporter.publish(self.reporter.drain())
        assert all(topic == PROVIDER_HEALTH for topic, _, _ in self.published)
        assert all(key == env.payload["provider"] for _, key, env in self.published)
        return [env.payload for _, _, env in self.published]


def brief(event: dict[str, Any]) -> tuple[str, str, str, str]:
    return (event["provider"], event["trigger"], event["circuit"], event["health"])


async def test_each_check_probes_every_provider_and_reports_each_state() -> None:
    world = World("stripe", "paymongo")

    await world.checker.check()

    assert [a.sent for a in world.adapters.values()] == [["health_check"], ["health_check"]]
    assert [brief(e) for e in await world.flush()] == [
        ("stripe", "health_check", "closed", "healthy"),
        ("paymongo", "health_check", "closed", "healthy"),
    ]


async def test_failing_checks_degrade_then_open_and_the_change_is_reported_first() -> None:
    world = World("stripe")
    world.adapters["stripe"].failure = UNAVAILABLE

    await world.checker.check()
    await world.checker.check()

    events = await world.flush()
    assert [brief(e) for e in events] == [
        ("stripe", "health_check", "closed", "degraded"),
        ("stripe", "state_change", "open", "unhealthy"),
        ("stripe", "health_check", "open", "unhealthy"),
    ]
    opened = ProviderHealthChanged.model_validate(events[1])
    assert (opened.previous_circuit, opened.reason, opened.consecutive_failures) == (
        "closed",
        "api_error",
        2,
    )
    assert opened.open_until is not None
    assert 59 <= (opened.open_until - opened.at).total_seconds() <= 60


async def test_while_open_the_check_does_not_call_and_after_the_period_it_is_the_probe() -> None:
    world = World("stripe")
    stripe = world.adapters["stripe"]
    stripe.failure = UNAVAILABLE
    await world.checker.check()
    await world.checker.check()
    stripe.failure = None

    await world.checker.check()
    assert len(stripe.sent) == 2
    world.clock.advance(61)
    await world.checker.check()

    assert len(stripe.sent) == 3
    assert [brief(e) for e in (await world.flush())[-3:]] == [
        ("stripe", "state_change", "half_open", "degraded"),
        ("stripe", "state_change", "closed", "healthy"),
        ("stripe", "health_check", "closed", "healthy"),
    ]


async def test_the_breaker_state_is_on_metrics() -> None:
    world = World("metered")
    world.adapters["metered"].failure = UNAVAILABLE
    await world.checker.check()
    await world.checker.check()
    app = FastAPI()
    app.include_router(metrics_router())

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
        text = (await client.get("/metrics")).text

    assert 'payroute_provider_circuit_state{provider="metered"} 2.0' in text
    assert 'payroute_provider_consecutive_failures{provider="metered"} 2.0' in text
    assert (
        'payroute_provider_requests_total{operation="health_check",outcome="provider_unavailable",'
        'provider="metered"} 2.0' in text
    )
