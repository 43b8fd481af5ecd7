"""webhook-ingest's Prometheus metrics, served at `/metrics` (payroute_common.metrics_route).

`status` is what became of the request: accepted, duplicate, rejected (bad
signature or payload), too_large, forbidden (allowlist), rate_limited,
unknown_provider, or error (storage failed; the provider will retry).
`provider` takes only the names of configured providers, or `unknown` for any
other name, so callers cannot grow the label set.
"""

from __future__ import annotations

from functools import cache

from prometheus_client import Counter, Histogram

WEBHOOKS_RECEIVED = Counter(
    "payroute_webhooks_received",
    "Webhook requests by provider and what became of them.",
    ["provider", "status"],
)
PROCESSING_SECONDS = Histogram(
    "payroute_webhook_processing_seconds",
    "Time from reading a webhook request to its answer (stored, or refused).",
    ["provider"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)


def count(provider: str, status: str) -> None:
    _received(provider, status).inc()


def observe_processing(provider: str, seconds: float) -> None:
    _processing(provider).observe(seconds)


# Each labelled child is looked up once: the label sets are bounded (see above), and
# `labels()` costs more than the increment on the hot path.
@cache
def _received(provider: str, status: str) -> Counter:
    return WEBHOOKS_RECEIVED.labels(provider=provider, status=status)


@cache
def _processing(provider: str) -> Histogram:
    return PROCESSING_SECONDS.labels(provider=provider)
