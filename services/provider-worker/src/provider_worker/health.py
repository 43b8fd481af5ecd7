"""Providers' health on `provider.health`: on every circuit change and on a schedule.

The breaker's state changes are queued as they happen (they happen inside provider
calls, outside any transaction) and a background task stages them in the outbox,
keyed by provider, so they reach Kafka in the order they happened. Every
`interval_s` the health check gives each provider one cheap call through its
guard (so it feeds the breaker, and is the half-open probe when no traffic comes:
routing sends little to an unhealthy provider), then reports every provider's
state. A report lost to a database failure is made good by the next check.

A provider that answers 401/403 is `misconfigured` (guard.py) whatever its circuit:
reported at once (`state_change`, reason `authentication: <code>`) and on every
check until an answer shows the credentials accepted again (reason
`credentials accepted`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Literal

import structlog

from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderHealthChanged
from payroute_common.messages.provider_health import ProviderHealth
from payroute_common.topics import PROVIDER_HEALTH
from payroute_common.uow import UnitOfWork
from provider_worker.breaker import Transition
from provider_worker.guard import ProviderGuard, Providers

log = structlog.get_logger(__name__)

PRODUCER = "provider-worker"
# Provider health belongs to no merchant.
PLATFORM_TENANT = "payroute"
RETRY_AFTER_S = 1.0
# The reason of the report that a misconfigured provider accepts our credentials again.
CREDENTIALS_ACCEPTED = "credentials accepted"

Trigger = Literal["state_change", "health_check"]


def health_of(guard: ProviderGuard) -> ProviderHealth:
    """Misconfigured while the provider refuses our credentials, whatever its circuit;
    else by the circuit (module docstring of payroute_common's provider_health)."""
    breaker = guard.breaker
    if guard.misconfigured is not None:
        return "misconfigured"
    if breaker.state == "open":
        return "unhealthy"
    if breaker.state == "half_open" or breaker.consecutive_failures:
        return "degraded"
    return "healthy"


def report(
    guard: ProviderGuard, trigger: Trigger, transition: Transition | None = None
) -> ProviderHealthChanged:
    """The provider's state now, as the event routing reads."""
    breaker = guard.breaker
    now = utcnow()
    open_for_s = breaker.open_for_s()
    reason = transition.reason if transition else breaker.reason
    if transition is None and trigger == "state_change":
        reason = guard.misconfigured or CREDENTIALS_ACCEPTED
    elif guard.misconfigured is not None:
        reason = guard.misconfigured
    return ProviderHealthChanged(
        provider=breaker.provider,
        health=health_of(guard),
        circuit=breaker.state,
        previous_circuit=transition.previous if transition else None,
        reason=reason[:500],
        consecutive_failures=breaker.consecutive_failures,
        trigger=trigger,
        at=now,
        open_until=now + timedelta(seconds=open_for_s) if open_for_s else None,
    )


class HealthReporter:
    """Stages health events in the outbox, in the order they were offered."""

    def __init__(self, unit_of_work: Callable[[], UnitOfWork]) -> None:
        self._unit_of_work = unit_of_work
        self._queue: asyncio.Queue[ProviderHealthChanged] = asyncio.Queue()

    def offer(self, event: ProviderHealthChanged) -> None:
        self._queue.put_nowait(event)

    def changed(self, guard: ProviderGuard, transition: Transition | None) -> None:
        """The guards' `on_change`: report the state a provider entered."""
        self.offer(report(guard, "state_change", transition))

    def drain(self) -> list[ProviderHealthChanged]:
        """Every event offered and not yet taken, oldest first."""
        events = []
        while not self._queue.empty():
            events.append(self._queue.get_nowait())
        return events

    async def run(self) -> None:
        while True:
            events = [await self._queue.get(), *self.drain()]
            try:
                await self.publish(events)
            except Exception:
                log.exception("provider_health_not_published", events=len(events))
                await asyncio.sleep(RETRY_AFTER_S)

    async def publish(self, events: list[ProviderHealthChanged]) -> None:
        async with self._unit_of_work() as uow:
            for event in events:
                envelope = Envelope.wrap(
                    event,
                    producer=PRODUCER,
                    tenant_id=PLATFORM_TENANT,
                    aggregate_id=event.provider,
                )
                uow.publish(PROVIDER_HEALTH, event.provider, envelope)
            await uow.commit()


class HealthChecker:
    """Every `interval_s`: one cheap call per provider, then every provider's state."""

    def __init__(self, providers: Providers, reporter: HealthReporter, interval_s: float) -> None:
        self._providers = providers
        self._reporter = reporter
        self._interval_s = interval_s

    async def check(self) -> None:
        guards = list(self._providers.guards.values())
        outcomes = await asyncio.gather(
            *(guard.check_health() for guard in guards), return_exceptions=True
        )
        for guard, outcome in zip(guards, outcomes, strict=True):
            if isinstance(outcome, Exception):
                log.error("health_check_failed", provider=guard.name, error=repr(outcome))
            self._reporter.offer(report(guard, "health_check"))

    async def run(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self._interval_s)
