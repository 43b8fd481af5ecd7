"""How provider-worker treats each provider: concurrency, timeout, rate, circuit breaker.

Every provider gets the worker's defaults; `PROVIDER_WORKER_LIMITS` overrides any of
them per provider, as JSON: `{"stripe": {"rate_per_s": 80, "breaker_open_s": 30}}`.
The limits hold per worker replica: N replicas send up to N times the rate.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ProviderPolicy(BaseModel):
    """`concurrency`: calls in flight at once. `timeout_s`: the deadline of one call,
    answered `timeout` (outcome unknown) when it passes. `rate_per_s`: calls started
    per second (a leaky bucket; a burst of up to one second's worth passes at once).
    `breaker_threshold` consecutive failures that say the provider is sick open its
    circuit for `breaker_open_s` seconds; then one probe decides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    concurrency: int = Field(ge=1, le=1000)
    timeout_s: float = Field(gt=0, le=120)
    rate_per_s: float = Field(gt=0, le=100_000)
    breaker_threshold: int = Field(ge=1, le=1000)
    breaker_open_s: float = Field(gt=0, le=3600)


class PolicyOverride(BaseModel):
    """What `PROVIDER_WORKER_LIMITS` may set for one provider; unset fields keep the
    defaults. Unknown fields are refused, so a misspelt limit fails at start-up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    concurrency: int | None = Field(default=None, ge=1, le=1000)
    timeout_s: float | None = Field(default=None, gt=0, le=120)
    rate_per_s: float | None = Field(default=None, gt=0, le=100_000)
    breaker_threshold: int | None = Field(default=None, ge=1, le=1000)
    breaker_open_s: float | None = Field(default=None, gt=0, le=3600)

    def over(self, defaults: ProviderPolicy) -> ProviderPolicy:
        return defaults.model_copy(update=self.model_dump(exclude_none=True))
