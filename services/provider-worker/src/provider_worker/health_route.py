"""Every provider on the worker's `/health`: one non-critical check each, and a
`providers` section with each one's state and recent record.

A provider that cannot take payments (`down`: its circuit is open;
`misconfigured`: it refuses our credentials) fails its check, which makes the
worker DEGRADED, never UNHEALTHY: the worker itself runs and every other
provider still takes payments, so a restart would fix nothing. Readiness
(`/health/ready`) reads only the critical checks (database, broker).

The record comes from the worker's own call metrics (provider_worker.metrics),
sampled every second: over the last `WINDOW_S`, the share of calls the provider
answered (`success_rate`; a decline is an answer: the provider works) and their
average latency, and when an answer or a failure was last seen (to the second).
Calls refused by an open circuit reached no provider and count for neither.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import FastAPI

from payroute_common.health import Check
from payroute_common.messages.provider_health import ProviderHealth
from payroute_common.runtime import ServiceRuntime
from provider_worker import metrics
from provider_worker.guard import ProviderGuard, Providers
from provider_worker.health import health_of

State = Literal["up", "degraded", "down", "misconfigured"]

STATES: dict[ProviderHealth, State] = {
    "healthy": "up",
    "degraded": "degraded",
    "unhealthy": "down",
    "misconfigured": "misconfigured",
}
UNUSABLE: frozenset[State] = frozenset({"down", "misconfigured"})
ANSWERED = frozenset({"succeeded", "pending", "hard_decline", "soft_decline", "invalid_request"})
FAILED = frozenset({"provider_unavailable", "timeout", "authentication", "adapter_error"})
WINDOW_S = 300
SAMPLE_EVERY_S = 1.0


@dataclass(frozen=True)
class Totals:
    """One provider's call counters at one moment (since the process started)."""

    at: float
    answered: float = 0.0
    failed: float = 0.0
    seconds: float = 0.0
    timed: float = 0.0


def totals_now(at: float) -> dict[str, Totals]:
    """Every provider's counters, read from the call metrics."""
    counts: dict[str, dict[str, float]] = {}
    for family in (*metrics.REQUESTS.collect(), *metrics.REQUEST_SECONDS.collect()):
        for sample in family.samples:
            row = counts.setdefault(sample.labels["provider"], {})
            key = _field(sample.name, sample.labels.get("outcome"))
            if key:
                row[key] = row.get(key, 0.0) + sample.value
    return {provider: Totals(at, **row) for provider, row in counts.items()}


def _field(name: str, outcome: str | None) -> str | None:
    if name.endswith("_total"):
        return "answered" if outcome in ANSWERED else "failed" if outcome in FAILED else None
    if name.endswith("_sum"):
        return "seconds"
    if name.endswith("_count"):
        return "timed"
    return None


class CallRecord:
    """Samples of every provider's counters over the last WINDOW_S, and when each
    provider last answered and last failed."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._samples: deque[dict[str, Totals]] = deque(maxlen=int(WINDOW_S / SAMPLE_EVERY_S) + 1)
        self.last_success: dict[str, datetime] = {}
        self.last_failure: dict[str, datetime] = {}

    def sample(self) -> None:
        now = totals_now(self._clock())
        previous = self._samples[-1] if self._samples else None
        if previous is not None:
            wall = datetime.now(UTC)
            for provider, totals in now.items():
                before = previous.get(provider, Totals(0.0))
                if totals.answered > before.answered:
                    self.last_success[provider] = wall
                if totals.failed > before.failed:
                    self.last_failure[provider] = wall
        self._samples.append(now)

    def recent(self, provider: str) -> dict[str, Any]:
        """Success rate and average latency over the window (None without calls)."""
        if not self._samples:
            return {"calls": 0, "success_rate": None, "average_latency_ms": None}
        first = self._samples[0].get(provider, Totals(0.0))
        last = self._samples[-1].get(provider, Totals(0.0))
        answered, failed = last.answered - first.answered, last.failed - first.failed
        timed = last.timed - first.timed
        calls = int(answered + failed)
        return {
            "calls": calls,
            "success_rate": round(answered / calls, 4) if calls else None,
            "average_latency_ms": (
                round((last.seconds - first.seconds) / timed * 1000, 1) if timed else None
            ),
        }

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(SAMPLE_EVERY_S)


def state_of(guard: ProviderGuard) -> State:
    return STATES[health_of(guard)]


def provider_view(guard: ProviderGuard, record: CallRecord) -> dict[str, Any]:
    breaker, name = guard.breaker, guard.name
    return {
        "state": state_of(guard),
        "circuit": breaker.state,
        "consecutive_failures": breaker.consecutive_failures,
        "reason": guard.misconfigured or breaker.reason,
        **record.recent(name),
        "window_s": WINDOW_S,
        "last_success": _iso(record.last_success.get(name)),
        "last_failure": _iso(record.last_failure.get(name)),
    }


def providers_view(providers: Providers, record: CallRecord) -> dict[str, dict[str, Any]]:
    """Each provider's state and record as `/health` shows it."""
    record.sample()
    return {name: provider_view(guard, record) for name, guard in sorted(providers.guards.items())}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def provider_check(guard: ProviderGuard) -> Check:
    """Non-critical: fails while the provider cannot take payments."""

    async def usable() -> None:
        state = state_of(guard)
        if state in UNUSABLE:
            raise ProviderUnusable(f"{state}: {guard.misconfigured or guard.breaker.reason}")

    return Check(f"provider:{guard.name}", usable, critical=False)


class ProviderUnusable(Exception):
    """A provider the worker cannot send payments to now."""


def add_provider_health(_app: FastAPI, runtime: ServiceRuntime, providers: Providers) -> None:
    """Every provider's check and the `providers` section on the runtime's `/health`."""
    record = CallRecord()
    for guard in providers.guards.values():
        runtime.health.add_check(provider_check(guard))
    runtime.health.add_details("providers", lambda: providers_view(providers, record))
    runtime.run_in_background(record.run)
