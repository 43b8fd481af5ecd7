"""webhook-ingest's Prometheus metrics, served at `/metrics` (payroute_common.metrics_route).

`outcome` (OUTCOMES) is what became of a request: accepted, duplicate (the same
provider event again: acknowledged, no second effect), or why it was refused:
bad_signature, stale_signature (valid but outside the provider's time window),
invalid_payload (signed but unreadable), too_large, not_allowed (source outside
the provider's allowlist), rate_limited, unknown_provider, or store_unavailable
(not stored; the provider will retry). `provider` takes only the names of
configured providers, or `unknown` for any other name, so callers cannot grow the
label set.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from prometheus_client import Counter, Histogram

OUTCOMES: tuple[str, ...] = (
    "accepted",
    "duplicate",
    "bad_signature",
    "stale_signature",
    "invalid_payload",
    "too_large",
    "not_allowed",
    "rate_limited",
    "unknown_provider",
    "store_unavailable",
)

WEBHOOKS = Counter(
    "payroute_webhooks_total",
    "Webhook requests by provider and what became of them: accepted, duplicate, or the "
    "reason they were refused.",
    ["provider", "outcome"],
)
WEBHOOK_SECONDS = Histogram(
    "payroute_webhook_seconds",
    "Time webhook-ingest took to handle a webhook request, from reading it to its answer "
    "(stored, duplicate or refused; requests refused by the rate limit are not timed).",
    ["provider"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)


def count(provider: str, outcome: str) -> None:
    _counted(provider, outcome).inc()


def observe_handling(provider: str, seconds: float) -> None:
    _timed(provider).observe(seconds)


# Each labelled child is looked up once: the label sets are bounded (see above), and
# `labels()` costs more than the increment on the hot path.
@cache
def _counted(provider: str, outcome: str) -> Counter:
    return WEBHOOKS.labels(provider=provider, outcome=outcome)


@cache
def _timed(provider: str) -> Histogram:
    return WEBHOOK_SECONDS.labels(provider=provider)


def show_providers(providers: Iterable[str]) -> None:
    """Every outcome of each configured provider exists from the start, at 0: a rate
    or an alert sees the first rejection of a kind, not only the second."""
    for provider in providers:
        for outcome in OUTCOMES:
            _counted(provider, outcome).inc(0)
