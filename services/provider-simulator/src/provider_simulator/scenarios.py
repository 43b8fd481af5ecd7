"""Per-provider scenario knobs set through the admin API (faults, latency, webhooks).

Knobs (all optional in `PUT /_sim/providers/{provider}`; left out = unchanged):
- `mode`: normal | outage (every request 503) | timeout (hang `hang_s`, then still
  execute) | slow (adds latency; 2 s unless `latency_ms` says otherwise) |
  error_after_effect (a request that changes something takes effect, then answers a 500
  in the provider's error format) | malformed (takes effect, then answers a 200 whose body
  is not JSON). See `faults.py`: the idempotency layer keeps the true answer in all three.
- `hang_s`: how long a `timeout` request hangs; `null` restores the simulator's default
  (`PROVIDER_SIMULATOR_TIMEOUT_HANG_S`).
- `refunds`: immediate | pending_then_succeeded | pending_then_failed, settling
  `refund_settle_s` after creation and announced by the provider's webhook (where the
  provider's refunds have a pending state: Stripe, PayMongo, Xendit).
- `latency_ms` (median), `latency_p99_ms` (lognormal tail; 0 = none), `latency_jitter_ms`
  (uniform extra): see `latency.py`.
- `error_rate`: share of requests answered with a 5xx before anything happens.
- `soft_decline_rate`: share of charges the provider declines softly (a processing
  error, worth retrying elsewhere) whatever the card; so far the Stripe simulator.
- `outage_windows`: `[{"start_s": 0, "end_s": 30}]`, seconds after this PUT during which
  requests fail as in mode outage; `outage_windows_since` (read-only) is that moment.
- `webhooks`, `webhook_duplicates`, `webhook_delay_ms`, `webhook_jitter_ms` (uniform extra
  delay drawn per delivery, so deliveries overtake each other), `webhook_reorder` (a
  request's webhooks handed over last first): see `webhook_schedule.py`.
"""

import random
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from provider_simulator import latency
from provider_simulator.outages import OutageWindow, in_any

Mode = Literal["normal", "outage", "timeout", "slow", "error_after_effect", "malformed"]
RefundMode = Literal["immediate", "pending_then_succeeded", "pending_then_failed"]
Seconds = Annotated[float, Field(ge=0, le=3_600)]
LatencyMs = Annotated[int, Field(ge=0, le=600_000)]
ErrorRate = Annotated[float, Field(ge=0.0, le=1.0)]
Duplicates = Annotated[int, Field(ge=0, le=20)]
DelayMs = Annotated[int, Field(ge=0, le=3_600_000)]
Windows = Annotated[tuple[OutageWindow, ...], Field(max_length=100)]
Clock = Callable[[], datetime]

SLOW_DEFAULT_LATENCY_MS = 2000
DEFAULT_HANG_S = 35.0
DEFAULT_REFUND_SETTLE_S = 2.0
_rng = random.Random()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Scenario(BaseModel):
    """How one provider behaves right now."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode = "normal"
    latency_ms: LatencyMs = 0
    latency_p99_ms: LatencyMs = 0
    latency_jitter_ms: LatencyMs = 0
    error_rate: ErrorRate = 0.0
    soft_decline_rate: ErrorRate = 0.0
    outage_windows: Windows = ()
    outage_windows_since: datetime | None = None
    webhooks: bool = True
    webhook_duplicates: Duplicates = 0
    webhook_delay_ms: DelayMs = 0
    webhook_jitter_ms: DelayMs = 0
    webhook_reorder: bool = False
    hang_s: Seconds = DEFAULT_HANG_S
    refunds: RefundMode = "immediate"
    refund_settle_s: Seconds = DEFAULT_REFUND_SETTLE_S

    @property
    def latency_s(self) -> float:
        """Latency to add to one request: a fresh draw on every read, so read it once."""
        return self.sample_latency_s(_rng)

    def sample_latency_s(self, rng: random.Random) -> float:
        median_ms = self.latency_ms
        if self.mode == "slow" and median_ms == 0:
            median_ms = SLOW_DEFAULT_LATENCY_MS
        drawn = latency.sample_ms(
            rng, median_ms=median_ms, p99_ms=self.latency_p99_ms, jitter_ms=self.latency_jitter_ms
        )
        return drawn / 1000

    def down_at(self, now: datetime) -> bool:
        """In outage: by mode, or because `now` falls in one of the outage windows."""
        if self.mode == "outage":
            return True
        return in_any(self.outage_windows, self.outage_windows_since, now)


class ScenarioUpdate(BaseModel):
    """Body of `PUT /_sim/providers/{provider}`: fields left out keep their current value."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode | None = None
    latency_ms: LatencyMs | None = None
    latency_p99_ms: LatencyMs | None = None
    latency_jitter_ms: LatencyMs | None = None
    error_rate: ErrorRate | None = None
    soft_decline_rate: ErrorRate | None = None
    outage_windows: Windows | None = None
    webhooks: bool | None = None
    webhook_duplicates: Duplicates | None = None
    webhook_delay_ms: DelayMs | None = None
    webhook_jitter_ms: DelayMs | None = None
    webhook_reorder: bool | None = None
    hang_s: Seconds | None = None
    refunds: RefundMode | None = None
    refund_settle_s: Seconds | None = None

    def applied_to(self, current: Scenario, now: datetime, default: Scenario) -> Scenario:
        """The new scenario; outage windows sent now count from `now`; an explicit
        `"hang_s": null` goes back to `default`'s."""
        changes = self.model_dump(exclude_none=True)
        if self.hang_s is None and "hang_s" in self.model_fields_set:
            changes["hang_s"] = default.hang_s
        if self.outage_windows is not None:
            changes["outage_windows"] = self.outage_windows
            changes["outage_windows_since"] = now
        return current.model_copy(update=changes)


class Fault(Enum):
    """What an incoming request suffers before it reaches the provider's logic."""

    NONE = "none"
    OUTAGE = "outage"
    ERROR = "error"


def pick_fault(
    scenario: Scenario, *, now: datetime | None = None, rng: random.Random | None = None
) -> Fault:
    """The fault one request meets; `now` and `rng` default to the clock and a shared RNG."""
    if scenario.down_at(now or _utcnow()):
        return Fault.OUTAGE
    if scenario.error_rate and (rng or _rng).random() < scenario.error_rate:
        return Fault.ERROR
    return Fault.NONE


def soft_declines(scenario: Scenario, *, rng: random.Random | None = None) -> bool:
    """Whether this charge is declined softly by the scenario, whatever the card."""
    rate = scenario.soft_decline_rate
    return rate > 0 and (rng or _rng).random() < rate


class Scenarios:
    """The current scenario of each known provider; `default` is where each starts and
    where `reset` brings it back."""

    def __init__(
        self,
        providers: tuple[str, ...],
        clock: Clock = _utcnow,
        *,
        default: Scenario | None = None,
    ) -> None:
        self._providers = providers
        self._clock = clock
        self._default = default or Scenario()
        self._current: dict[str, Scenario] = {}

    def knows(self, provider: str) -> bool:
        return provider in self._providers

    def get(self, provider: str) -> Scenario:
        return self._current.get(provider, self._default)

    def update(self, provider: str, update: ScenarioUpdate) -> Scenario:
        scenario = update.applied_to(self.get(provider), self._clock(), self._default)
        self._current[provider] = scenario
        return scenario

    def reset(self) -> None:
        self._current.clear()
