"""The metrics every service process exports the same way, declared once here.

Each service serves them at its own `/metrics` (metrics_route.py) next to its own
metrics (`<service>/metrics.py`); a name is declared in exactly one place across
Payroute (tests/deploy/test_metric_names.py checks it). Labels stay bounded:
`service` is the process's service name, `topic` a declared topic's name without
the environment's prefix, `route` a route template, never a raw path.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_BACKLOG = Gauge(
    "payroute_outbox_backlog",
    "Outbox rows committed and not yet published, as the service's relay last saw "
    "them (counted up to a cap, so a huge backlog reads as the cap).",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "payroute_consumer_lag",
    "Records on a consumed topic this service has not read yet: the partitions' "
    "end offsets minus the consumer's positions, summed over its assigned partitions, "
    "as of the last batch it fetched.",
    ["service", "topic"],
)
DEAD_LETTERS = Counter(
    "payroute_dead_letters_total",
    "Records taken off a consumed topic and sent to the consumer group's dead-letter "
    "topic (undecodable, or failing every retry).",
    ["service", "topic"],
)
HTTP_REQUESTS = Counter(
    "payroute_http_requests_total",
    "HTTP requests answered, by route template, method and status code.",
    ["service", "route", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "payroute_http_request_seconds",
    "Time from receiving an HTTP request to the end of its answer, by route template.",
    ["service", "route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def show_consumed_topics(service: str, topics: Iterable[str]) -> None:
    """Lag and dead-letter series for each consumed topic exist from the start, at 0:
    an alert on `increase()` sees the first dead letter, and a dashboard shows a
    quiet topic as 0 rather than as no data."""
    for topic in topics:
        CONSUMER_LAG.labels(service=service, topic=topic).set(0)
        DEAD_LETTERS.labels(service=service, topic=topic).inc(0)
