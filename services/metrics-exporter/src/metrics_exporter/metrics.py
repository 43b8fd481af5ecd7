"""Every metric metrics-exporter serves. Pure: no I/O.

Counters are durable sums (the `counters` table); rules.py says which event
adds what. A histogram is durable counters too: per label set, the observations
in each bucket and their sum (see `HistogramDef`). Gauges are read from the
service's own state when a batch commits and when the cache refreshes
(store.py). To add a metric (SPEC section 8 lists more): declare it here, add it
to `COUNTERS`, `HISTOGRAMS` or `GAUGES`, and give it a rule.

Labels stay bounded: no ids, and free-form values (provider names, failure
codes) pass through `bounded`, which folds anything unexpected into `other`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import get_args

from payroute_common.messages.reconciliation_events import IssueClass

NO_VALUE = "none"  # label value when the event has none (e.g. failed before any provider)
OTHER = "other"  # label value for anything that does not look like a slug


@dataclass(frozen=True)
class CounterDef:
    name: str
    help: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class GaugeDef:
    """A gauge; with `labels`, `always` lists the label sets shown even at zero.

    With `age`, the value kept is a moment (Unix time in milliseconds) and the gauge
    shows the seconds since then at each scrape, 0 when there is none: an age read
    every few seconds from the table would lag behind by as much.
    """

    name: str
    help: str
    labels: tuple[str, ...] = ()
    always: tuple[dict[str, str], ...] = ()
    age: bool = False


@dataclass(frozen=True)
class HistogramDef:
    """A histogram kept as durable counters, so it survives restarts like they do.

    Per label set, one counter per bucket holds the observations that fell in it
    (the smallest bound not below the value: not cumulative, so an observation adds
    to one row), and one holds their sum in milliseconds. The collector serves them
    as Prometheus' cumulative `_bucket{le}`, `_sum` (seconds) and `_count`.
    """

    name: str
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...]  # upper bounds in seconds, ascending; +Inf is implied

    @property
    def bucket_counter(self) -> str:
        return f"{self.name}_bucket"

    @property
    def sum_counter(self) -> str:
        return f"{self.name}_sum_ms"

    def bounds(self) -> tuple[str, ...]:
        """Every bucket's `le`, as Prometheus writes it, +Inf last."""
        return tuple(_le(bound) for bound in (*self.buckets, math.inf))


def _le(bound: float) -> str:
    """A bucket bound as prometheus_client writes it: `0.5`, `1.0`, `+Inf`."""
    return "+Inf" if math.isinf(bound) else repr(float(bound))


PAYMENTS = CounterDef(
    "payroute_payments_total",
    "Payments that reached each status, counted once per payment and status.",
    ("status", "provider", "method", "currency"),
)
PAYMENT_AMOUNT_MINOR = CounterDef(
    "payroute_payment_amount_minor_total",
    "Amounts captured (amount_captured, partial captures included), in minor units.",
    ("status", "provider", "method", "currency"),
)
PAYMENT_FAILURES = CounterDef(
    "payroute_payment_failures_total",
    "Payments that failed, by failure code, counted once per payment.",
    ("code", "provider"),
)
FEE_AMOUNT_MINOR = CounterDef(
    "payroute_fee_amount_minor_total",
    "Fees of captured payments (provider's and platform's), in minor units.",
    ("kind", "currency"),
)
REFUNDS = CounterDef(
    "payroute_refunds_total",
    "Refunds that reached each status, counted once per refund and status.",
    ("status", "provider", "currency"),
)
REFUND_AMOUNT_MINOR = CounterDef(
    "payroute_refund_amount_minor_total",
    "Amounts of succeeded refunds, in minor units.",
    ("currency",),
)

LATE_SUCCESSES = CounterDef(
    "payroute_late_successes_total",
    "Provider successes a payment no longer needed, by what became of them: found (its "
    "reversal sent), reversed (the provider gave the money back) or reversal_failed.",
    ("provider", "stage"),
)

RECONCILIATION_RUNS = CounterDef(
    "payroute_reconciliation_runs_total",
    "Reconciliation runs by provider and outcome, counted once per run.",
    ("provider", "status"),
)
RECONCILIATION_LINES = CounterDef(
    "payroute_reconciliation_lines_total",
    "Settlement-report lines reconciled, by provider and class (matched or the issue's).",
    ("provider", "class"),
)

COUNTERS: tuple[CounterDef, ...] = (
    PAYMENTS,
    PAYMENT_AMOUNT_MINOR,
    PAYMENT_FAILURES,
    FEE_AMOUNT_MINOR,
    REFUNDS,
    REFUND_AMOUNT_MINOR,
    LATE_SUCCESSES,
    RECONCILIATION_RUNS,
    RECONCILIATION_LINES,
)
BY_NAME: dict[str, CounterDef] = {c.name: c for c in COUNTERS}

PAYMENT_PROCESSING = HistogramDef(
    "payroute_payment_processing_seconds",
    "Time from accepting a payment to its first final or waiting status (captured, "
    "authorized, failed, canceled, requires_action, pending_verification), once per payment.",
    ("provider", "method"),
    (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)

HISTOGRAMS: tuple[HistogramDef, ...] = (PAYMENT_PROCESSING,)

PENDING_VERIFICATIONS = GaugeDef(
    "payroute_pending_verifications",
    "Manual payments waiting for an operator's verification now (the whole system's count).",
)

ISSUE_CLASSES: tuple[str, ...] = get_args(IssueClass)
RECONCILIATION_ISSUES_OPEN = GaugeDef(
    "payroute_reconciliation_issues_open",
    "Reconciliation issues open now, by class (opened minus resolved and auto-resolved).",
    labels=("class",),
    always=tuple({"class": issue_class} for issue_class in ISSUE_CLASSES),
)

PENDING_VERIFICATION_OLDEST = GaugeDef(
    "payroute_pending_verification_oldest_seconds",
    "Seconds the oldest manual payment still waiting for verification has waited (0: none).",
    age=True,
)

GAUGES: tuple[GaugeDef, ...] = (
    PENDING_VERIFICATIONS,
    PENDING_VERIFICATION_OLDEST,
    RECONCILIATION_ISSUES_OPEN,
)

CounterKey = tuple[str, str]  # (metric name, canonical labels JSON)
GaugeKey = CounterKey  # a gauge's series is named the same way

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def bounded(value: str | None) -> str:
    """A label value from a free-form field: the value if it is a short slug."""
    if value is None:
        return NO_VALUE
    return value if _SLUG.match(value) else OTHER


def labels_key(labels: dict[str, str]) -> str:
    """The canonical text of a label set: JSON with sorted keys, no spaces."""
    return json.dumps(labels, sort_keys=True, separators=(",", ":"))


def gauge_key(gauge: GaugeDef, **labels: str) -> GaugeKey:
    if set(labels) != set(gauge.labels):
        raise ValueError(f"{gauge.name} takes labels {gauge.labels}, got {sorted(labels)}")
    return (gauge.name, labels_key(labels))


@dataclass(frozen=True)
class Increment:
    key: CounterKey
    value: int


def increment(counter: CounterDef, value: int, **labels: str) -> Increment:
    if set(labels) != set(counter.labels):
        raise ValueError(f"{counter.name} takes labels {counter.labels}, got {sorted(labels)}")
    return Increment((counter.name, labels_key(labels)), value)


def observe(histogram: HistogramDef, seconds: float, **labels: str) -> tuple[Increment, ...]:
    """One observation: its bucket's counter and the sum (in whole milliseconds)."""
    if set(labels) != set(histogram.labels):
        raise ValueError(f"{histogram.name} takes labels {histogram.labels}, got {sorted(labels)}")
    seconds = max(0.0, seconds)
    bound = next(
        le
        for le, upper in zip(histogram.bounds(), (*histogram.buckets, math.inf), strict=True)
        if seconds <= upper
    )
    return (
        Increment((histogram.bucket_counter, labels_key({**labels, "le": bound})), 1),
        Increment((histogram.sum_counter, labels_key(labels)), round(seconds * 1000)),
    )


@dataclass(frozen=True)
class Counted:
    """What one fact adds; with a `once_key`, it counts once whatever events carry it."""

    increments: tuple[Increment, ...]
    once_key: str | None = None
