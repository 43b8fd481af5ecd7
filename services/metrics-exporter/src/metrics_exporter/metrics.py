"""Every metric metrics-exporter serves. Pure: no I/O.

Counters are durable sums (the `counters` table); rules.py says which event
adds what. Gauges are read from the service's own state when a batch commits
and when the cache refreshes (store.py). To add a metric (SPEC section 8 lists
more): declare it here, add it to `COUNTERS` or `GAUGES`, and give it a rule.

Labels stay bounded: no ids, and free-form values (provider names, failure
codes) pass through `bounded`, which folds anything unexpected into `other`.
"""

from __future__ import annotations

import json
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
    """A gauge; with `labels`, `always` lists the label sets shown even at zero."""

    name: str
    help: str
    labels: tuple[str, ...] = ()
    always: tuple[dict[str, str], ...] = ()


PAYMENTS = CounterDef(
    "payroute_payments_total",
    "Payments that reached each status, counted once per payment and status.",
    ("status", "provider", "currency"),
)
PAYMENT_AMOUNT_MINOR = CounterDef(
    "payroute_payment_amount_minor_total",
    "Amounts captured (amount_captured, partial captures included), in minor units.",
    ("status", "provider", "currency"),
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
WEBHOOKS_RECEIVED = CounterDef(
    "payroute_webhooks_received_total",
    "Verified provider webhooks accepted by webhook-ingest, by normalized outcome.",
    ("provider", "outcome"),
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
    WEBHOOKS_RECEIVED,
    LATE_SUCCESSES,
    RECONCILIATION_RUNS,
    RECONCILIATION_LINES,
)
BY_NAME: dict[str, CounterDef] = {c.name: c for c in COUNTERS}

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

GAUGES: tuple[GaugeDef, ...] = (PENDING_VERIFICATIONS, RECONCILIATION_ISSUES_OPEN)

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


@dataclass(frozen=True)
class Counted:
    """What one fact adds; with a `once_key`, it counts once whatever events carry it."""

    increments: tuple[Increment, ...]
    once_key: str | None = None
