"""Per-provider scenario knobs set through the admin API (faults, latency, webhooks)."""

import random
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["normal", "outage", "timeout", "slow"]
LatencyMs = Annotated[int, Field(ge=0, le=600_000)]
ErrorRate = Annotated[float, Field(ge=0.0, le=1.0)]
Duplicates = Annotated[int, Field(ge=0, le=20)]
DelayMs = Annotated[int, Field(ge=0, le=3_600_000)]

SLOW_DEFAULT_LATENCY_MS = 2000


class Scenario(BaseModel):
    """How one provider behaves right now."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Mode = "normal"
    latency_ms: LatencyMs = 0
    error_rate: ErrorRate = 0.0
    webhooks: bool = True
    webhook_duplicates: Duplicates = 0
    webhook_delay_ms: DelayMs = 0

    @property
    def latency_s(self) -> float:
        """Latency added to every request; `slow` without an explicit value uses a default."""
        if self.mode == "slow" and self.latency_ms == 0:
            return SLOW_DEFAULT_LATENCY_MS / 1000
        return self.latency_ms / 1000


class ScenarioUpdate(BaseModel):
    """Body of `PUT /_sim/providers/{provider}`: fields left out keep their current value."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode | None = None
    latency_ms: LatencyMs | None = None
    error_rate: ErrorRate | None = None
    webhooks: bool | None = None
    webhook_duplicates: Duplicates | None = None
    webhook_delay_ms: DelayMs | None = None

    def applied_to(self, current: Scenario) -> Scenario:
        return current.model_copy(update=self.model_dump(exclude_none=True))


class Fault(Enum):
    """What an incoming request suffers before it reaches the provider's logic."""

    NONE = "none"
    OUTAGE = "outage"
    ERROR = "error"


def pick_fault(scenario: Scenario) -> Fault:
    if scenario.mode == "outage":
        return Fault.OUTAGE
    if scenario.error_rate and random.random() < scenario.error_rate:
        return Fault.ERROR
    return Fault.NONE


_DEFAULT = Scenario()


class Scenarios:
    """The current scenario of each known provider."""

    def __init__(self, providers: tuple[str, ...]) -> None:
        self._providers = providers
        self._current: dict[str, Scenario] = {}

    def knows(self, provider: str) -> bool:
        return provider in self._providers

    def get(self, provider: str) -> Scenario:
        return self._current.get(provider, _DEFAULT)

    def update(self, provider: str, update: ScenarioUpdate) -> Scenario:
        scenario = update.applied_to(self.get(provider))
        self._current[provider] = scenario
        return scenario

    def reset(self) -> None:
        self._current.clear()
