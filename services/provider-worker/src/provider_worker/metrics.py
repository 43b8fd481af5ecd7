"""provider-worker's Prometheus metrics, served at `/metrics` (payroute_common.metrics_route).

`operation`: authorize, capture, void, refund, status or health_check.
`outcome`: succeeded, the error category of a failure (hard_decline,
soft_decline, provider_unavailable, timeout, invalid_request, authentication),
circuit_open (refused without calling the provider), or adapter_error (the adapter
raised something it should not; answered `timeout` / `adapter_error`). `provider` takes only
the names of configured providers, so callers cannot grow the label set.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from payroute_common.messages.provider_health import CircuitState

CALLS = Counter(
    "payroute_provider_calls",
    "Provider calls by provider, operation and outcome.",
    ["provider", "operation", "outcome"],
)
CALL_SECONDS = Histogram(
    "payroute_provider_call_seconds",
    "Duration of provider calls that reached the provider, answered or not.",
    ["provider", "operation"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
CIRCUIT_STATE = Gauge(
    "payroute_provider_circuit_state",
    "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
    ["provider"],
)
UP = Gauge(
    "payroute_provider_up",
    "1 while the provider can take payments; 0 while its circuit is open or it refuses "
    "Payroute's credentials (misconfigured).",
    ["provider"],
)
CONSECUTIVE_FAILURES = Gauge(
    "payroute_provider_consecutive_failures",
    "Failures in a row that say the provider is sick (reset by any answer).",
    ["provider"],
)
CIRCUIT_TRANSITIONS = Counter(
    "payroute_provider_circuit_transitions",
    "Circuit breaker state changes, by the state entered.",
    ["provider", "state"],
)
RATE_LIMITED = Counter(
    "payroute_provider_rate_limited_waits",
    "Calls that had to wait for the provider's rate limit.",
    ["provider"],
)

STATE_VALUES: dict[CircuitState, int] = {"closed": 0, "half_open": 1, "open": 2}


def count_call(provider: str, operation: str, outcome: str, seconds: float | None) -> None:
    """One call's outcome; `seconds` None when the provider was not called."""
    CALLS.labels(provider=provider, operation=operation, outcome=outcome).inc()
    if seconds is not None:
        CALL_SECONDS.labels(provider=provider, operation=operation).observe(seconds)


def show_up(provider: str, up: bool) -> None:
    UP.labels(provider=provider).set(1 if up else 0)


def show_circuit(provider: str, state: CircuitState, consecutive_failures: int) -> None:
    CIRCUIT_STATE.labels(provider=provider).set(STATE_VALUES[state])
    CONSECUTIVE_FAILURES.labels(provider=provider).set(consecutive_failures)
