"""Events on topic `provider.health` (provider-worker → routing), keyed by provider.

provider-worker publishes one on every change of a provider's circuit breaker
and one per provider on each scheduled health check, so a consumer that starts
late learns every provider's state within one check interval.
"""

from datetime import datetime
from typing import Literal

from pydantic import Field

from payroute_common.envelope import Message
from payroute_common.messages.values import ProviderName

CircuitState = Literal["closed", "open", "half_open"]
# What routing does with it: healthy first, degraded after, unhealthy last;
# misconfigured (the provider refused our credentials: 401/403) is skipped
# until a health check is answered with them again.
ProviderHealth = Literal["healthy", "degraded", "unhealthy", "misconfigured"]


class ProviderHealthChanged(Message):
    """One provider's health as one provider-worker replica sees it.

    `circuit`: `closed` (calls go through), `open` (authorizations are refused
    without calling the provider until `open_until`), `half_open` (one probe is let
    through; its answer closes or reopens the circuit). `health` follows from it:
    closed with no failure since the last answer is healthy, closed with recent
    failures or half-open is degraded, open is unhealthy. `reason` says what
    happened (the last failure's code, `recovered`, `health_check`).
    `trigger`: a breaker state change, or the scheduled health check.
    """

    event_type = "ProviderHealthChanged"

    provider: ProviderName
    health: ProviderHealth
    circuit: CircuitState
    previous_circuit: CircuitState | None = None
    reason: str = Field(max_length=500)
    consecutive_failures: int = Field(ge=0)
    trigger: Literal["state_change", "health_check"]
    at: datetime
    open_until: datetime | None = None
