"""provider-worker's Prometheus metrics, served at `/metrics` (payroute_common.metrics_route).

`operation`: authorize, capture, void, refund, status or health_check.
`outcome` (OUTCOMES): succeeded; pending (the provider took the request and its end
comes later: an authorization that requires the customer's action, a refund it
settles later); the error category of a failure (hard_decline, soft_decline,
provider_unavailable, timeout, invalid_request, authentication); circuit_open
(refused without calling the provider); or adapter_error (the adapter raised
something it should not: a bug of ours, answered `timeout`/`adapter_error` since
the provider may have acted, and kept apart from the provider's own timeouts).
`provider` takes only the names of configured providers, so callers cannot grow
the label set.
"""

from __future__ import annotations

from typing import get_args

from prometheus_client import Counter, Gauge, Histogram

from payroute_common.messages.provider_health import CircuitState
from payroute_common.messages.values import ErrorCategory
from provider_worker.adapters.base import Authorization, OperationResult

OUTCOMES: tuple[str, ...] = (
    "succeeded",
    "pending",
    *get_args(ErrorCategory),
    "circuit_open",
    "adapter_error",
)

REQUESTS = Counter(
    "payroute_provider_requests_total",
    "Requests to providers by provider, operation and outcome; circuit_open ones were "
    "refused by the worker without calling the provider.",
    ["provider", "operation", "outcome"],
)
REQUEST_SECONDS = Histogram(
    "payroute_provider_request_seconds",
    "Duration of provider requests that were sent, answered or not (from after the rate "
    "limit's wait to the answer, the failure or the worker's deadline).",
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
    "Payroute's credentials (misconfigured). Configured providers only.",
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
    """One call's outcome (one of OUTCOMES); `seconds` None when the provider was not
    called."""
    REQUESTS.labels(provider=provider, operation=operation, outcome=outcome).inc()
    if seconds is not None:
        REQUEST_SECONDS.labels(provider=provider, operation=operation).observe(seconds)


def answered(answer: object) -> str:
    """The outcome of a call the provider answered without a failure."""
    if isinstance(answer, Authorization) and answer.outcome == "requires_action":
        return "pending"
    if isinstance(answer, OperationResult) and answer.outcome == "pending":
        return "pending"
    return "succeeded"


def show_up(provider: str, up: bool) -> None:
    UP.labels(provider=provider).set(1 if up else 0)


def show_circuit(provider: str, state: CircuitState, consecutive_failures: int) -> None:
    CIRCUIT_STATE.labels(provider=provider).set(STATE_VALUES[state])
    CONSECUTIVE_FAILURES.labels(provider=provider).set(consecutive_failures)
