"""The metrics Payroute's services export, read from their own declarations, and the
names alert rules and dashboards may query.

Each service declares its metrics in one module (DECLARING_MODULES; the ones every
service exports alike in payroute_common.service_metrics): prometheus_client
collectors, or metrics-exporter's definitions of its durable counters and gauges.
`declarations()` imports those modules and reads every metric there, with its
kind and labels. `QUERYABLE` is what rules and dashboards are meant to read (SPEC
section 8 and issue 14's fixed names, plus the few the dashboards need that the
SPEC does not name); `EXPORTED` is the series of those names as their services
declare them. A dashboard or rule naming anything else queries a series that never
exists: an empty panel, an alert that cannot fire.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from prometheus_client.metrics import MetricWrapperBase

# module -> the service that exports what it declares
DECLARING_MODULES: dict[str, str] = {
    "payroute_common.service_metrics": "every service",
    "provider_worker.metrics": "provider-worker",
    "webhook_ingest.metrics": "webhook-ingest",
    "metrics_exporter.metrics": "metrics-exporter",
}

QUERYABLE = frozenset(
    {
        "payroute_payments_total",  # {provider, method, currency, status}
        "payroute_payment_amount_minor_total",  # {provider, currency, ...}
        "payroute_fee_amount_minor_total",  # {kind, currency}
        "payroute_payment_processing_seconds",  # {provider, method}
        "payroute_provider_requests_total",  # {provider, operation, outcome}
        "payroute_provider_request_seconds",  # {provider, operation}
        "payroute_provider_up",  # {provider}: 1 up, 0 down
        "payroute_provider_circuit_state",  # {provider}: 0 closed, 1 half-open, 2 open
        "payroute_pending_verifications",
        "payroute_reconciliation_issues_open",  # {class}
        "payroute_webhooks_total",  # {provider, outcome}
        "payroute_webhook_seconds",
        "payroute_outbox_backlog",  # {service}
        "payroute_consumer_lag",  # {service, topic}
        "payroute_dead_letters_total",  # {service, topic}
        # Not fixed by the SPEC; the reconciliation dashboard's runs and lines:
        "payroute_reconciliation_runs_total",  # {provider, status}
        "payroute_reconciliation_lines_total",  # {provider, class}, class "matched" included
        # Not fixed by the SPEC; the verification dashboard's "oldest waiting":
        "payroute_pending_verification_oldest_seconds",
    }
)
# Queryable names their service does not declare yet, with the kind they will have.
# test_metric_names fails once one is declared: then it leaves this list.
AWAITED: dict[str, str] = {}
# The label sets issue 14 fixes, checked against the declarations.
FIXED_LABELS: dict[str, frozenset[str]] = {
    "payroute_provider_requests_total": frozenset({"provider", "operation", "outcome"}),
    "payroute_provider_request_seconds": frozenset({"provider", "operation"}),
    "payroute_provider_up": frozenset({"provider"}),
    "payroute_provider_circuit_state": frozenset({"provider"}),
    "payroute_webhooks_total": frozenset({"provider", "outcome"}),
    "payroute_outbox_backlog": frozenset({"service"}),
    "payroute_consumer_lag": frozenset({"service", "topic"}),
    "payroute_dead_letters_total": frozenset({"service", "topic"}),
    "payroute_reconciliation_issues_open": frozenset({"class"}),
}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Written by Prometheus itself for every scrape target.
SCRAPE = frozenset({"up"})


@dataclass(frozen=True)
class Declared:
    """One metric as declared: `name` as queried (a counter's with `_total`)."""

    name: str
    kind: str  # counter, gauge, histogram or summary
    labels: tuple[str, ...]
    service: str
    module: str

    def series(self) -> frozenset[str]:
        if self.kind == "histogram":
            return frozenset(self.name + suffix for suffix in HISTOGRAM_SUFFIXES)
        if self.kind == "summary":
            return frozenset({self.name, self.name + "_sum", self.name + "_count"})
        return frozenset({self.name})


@cache
def declarations() -> tuple[Declared, ...]:
    """Every metric the declaring modules define, each object once (where it is
    first found: a module importing another's metric does not declare it again)."""
    seen: set[int] = set()
    found = []
    for module_name, service in DECLARING_MODULES.items():
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if id(value) in seen:
                continue
            declared = _declared(value, service, module_name)
            if declared is not None:
                seen.add(id(value))
                found.append(declared)
    return tuple(found)


def _declared(value: object, service: str, module: str) -> Declared | None:
    if isinstance(value, MetricWrapperBase):
        # prometheus_client keeps a collector's kind and names in private fields.
        kind = str(value._type)
        name = str(value._name)
        labels = tuple(value._labelnames)
    elif type(value).__name__.endswith("Def") and str(getattr(value, "name", "")).startswith(
        "payroute_"
    ):
        # metrics-exporter's definitions: CounterDef, GaugeDef, ...
        kind = type(value).__name__.removesuffix("Def").lower()
        name = str(getattr(value, "name"))
        labels = tuple(getattr(value, "labels", ()))
    else:
        return None
    if kind == "counter" and not name.endswith("_total"):
        name += "_total"
    return Declared(name, kind, labels, service, module)


def by_name() -> dict[str, Declared]:
    return {d.name: d for d in declarations()}


def _queryable_series() -> Iterator[str]:
    declared = by_name()
    for name in QUERYABLE:
        if name in declared:
            yield from declared[name].series()
        elif name in AWAITED:
            kind = AWAITED[name]
            yield from Declared(name, kind, (), "", "").series()


EXPORTED: frozenset[str] = frozenset(_queryable_series()) | SCRAPE
