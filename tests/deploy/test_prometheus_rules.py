"""deploy/prometheus: every alert the SPEC asks for, valid, tested at its threshold by
promtool, reading only exported metrics, and explained in docs/runbook.md."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from .exported_metrics import EXPORTED
from .observability import (
    RULE_TESTS,
    RULES,
    SEVERITIES,
    alerts,
    recorded_names,
    rules,
    runbook_anchors,
)
from .project import DEPLOYED
from .promql import metric_names
from .tools import run

REQUIRED = {
    "PaymentFailureRateHigh": "critical",
    "ProviderSuccessRateLow": "high",
    "ProviderDown": "critical",
    "PendingVerificationsHigh": "high",
    "ReconciliationIssuesHigh": "medium",
    "PaymentProcessingSlow": "medium",
    "ServiceDown": None,
    "ConsumerLagHigh": None,
    "OutboxBacklogHigh": None,
    "DeadLettersArriving": None,
}


def test_promtool_checks_the_rules() -> None:
    result = run("promtool", "check", "rules", RULES)
    assert "SUCCESS" in result.stdout


def test_promtool_rule_tests_pass() -> None:
    result = run("promtool", "test", "rules", RULE_TESTS)
    assert "SUCCESS" in result.stdout


def test_every_required_alert_is_there_with_its_severity() -> None:
    found = alerts()
    assert set(REQUIRED) <= set(found)
    for name, severity in REQUIRED.items():
        assert found[name]["labels"]["severity"] in SEVERITIES, name
        if severity is not None:
            assert found[name]["labels"]["severity"] == severity, name


@pytest.mark.parametrize("name", sorted(alerts()))
def test_alert_has_a_summary_a_description_and_its_runbook_section(name: str) -> None:
    annotations = alerts()[name]["annotations"]
    assert annotations["summary"].strip()
    assert annotations["description"].strip()
    path, _, anchor = annotations["runbook_url"].partition("#")
    assert path == "docs/runbook.md"
    assert anchor == name.lower()
    assert anchor in runbook_anchors()


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r.get("alert") or r["record"])
def test_rules_read_only_exported_metrics_and_recorded_ones(rule: dict[str, Any]) -> None:
    names = metric_names(rule["expr"])
    assert names, "found no metric: the expression parser missed something"
    assert names <= EXPORTED | recorded_names(), sorted(names - EXPORTED - recorded_names())


def test_every_alert_is_tested_firing_and_silent() -> None:
    cases = [
        case
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
    ]
    for name in alerts():
        mine = [case for case in cases if case["alertname"] == name]
        assert any(case.get("exp_alerts") for case in mine), f"{name} never fires in a test"
        assert any(not case.get("exp_alerts") for case in mine), f"{name} never held in a test"


def test_service_down_watches_every_deployed_service() -> None:
    expr = alerts()["ServiceDown"]["expr"]
    jobs = expr.split('job=~"', 1)[1].split('"', 1)[0].split("|")
    assert sorted(jobs) == sorted(s.name for s in DEPLOYED)
