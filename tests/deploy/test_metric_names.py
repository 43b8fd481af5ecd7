"""Metric names are unique across Payroute: each is declared once, in its service's
metrics module (or libs/common's for the ones every service exports), and the names
rules and dashboards read are declared with the kind and labels they expect."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from .exported_metrics import AWAITED, DECLARING_MODULES, FIXED_LABELS, QUERYABLE, declarations
from .project import ROOT

SOURCES = [*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("libs/*/src/**/*.py")]
# A metric built with a literal name: prometheus_client's collectors, or a definition
# (metrics-exporter's CounterDef, GaugeDef, ...).
CONSTRUCTED = re.compile(
    r"\b(Counter|Gauge|Histogram|Summary|Info|Enum|\w+Def)\(\s*[\"'](payroute_\w+)[\"']"
)
NAME = re.compile(r"^payroute_[a-z][a-z0-9_]*$")


def module_of(path: Path) -> str:
    """`provider_worker.metrics` for services/provider-worker/src/provider_worker/metrics.py."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[parts.index("src") + 1 :])


def test_no_name_is_declared_twice_or_by_two_services() -> None:
    names = Counter(d.name for d in declarations())
    twice = {
        name: [(d.service, d.module, d.labels) for d in declarations() if d.name == name]
        for name, n in names.items()
        if n > 1
    }
    assert not twice, twice


def test_no_series_of_one_metric_is_another_metrics_name() -> None:
    """A histogram `x` owns `x_count`: a counter named `x_count` would clash on scrape."""
    series = Counter(s for d in declarations() for s in d.series())
    assert not [s for s, n in series.items() if n > 1]


def test_metrics_are_declared_only_in_the_declaring_modules() -> None:
    found = {
        (module_of(path), match[2])
        for path in SOURCES
        for match in CONSTRUCTED.finditer(path.read_text())
    }
    assert found, "the scan found no metric: the pattern is wrong"
    elsewhere = sorted((module, name) for module, name in found if module not in DECLARING_MODULES)
    assert not elsewhere, f"declare these in their service's metrics module: {elsewhere}"


def test_names_and_labels_follow_the_conventions() -> None:
    for d in declarations():
        assert NAME.match(d.name), d.name
        assert (d.kind == "counter") == d.name.endswith("_total"), d.name
        assert len(set(d.labels)) == len(d.labels), d.name
        assert not {"le", "quantile", "instance", "job"} & set(d.labels), d.name


def test_every_queryable_name_is_declared_or_awaited() -> None:
    declared = {d.name for d in declarations()}
    missing = sorted(QUERYABLE - declared - set(AWAITED))
    assert not missing, f"rules and dashboards read {missing}, which no service declares"


def test_awaited_names_are_not_declared_yet() -> None:
    """Once a service declares an awaited name, it leaves AWAITED (its kind then comes
    from the declaration)."""
    declared = {d.name for d in declarations()}
    assert not set(AWAITED) & declared
    assert set(AWAITED) <= QUERYABLE


def test_the_fixed_names_have_their_fixed_labels() -> None:
    declared = {d.name: d for d in declarations()}
    for name, labels in FIXED_LABELS.items():
        assert set(declared[name].labels) == labels, name


def test_the_renamed_metrics_are_gone() -> None:
    declared = {d.name for d in declarations()}
    assert (
        not {
            "payroute_provider_calls_total",
            "payroute_provider_call_seconds",
            "payroute_webhook_processing_seconds",
        }
        & declared
    )
