"""Where the observability files are, and what tests read from them."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .project import ROOT

PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS_DIR / "alerts.yml"
RULE_TESTS = PROMETHEUS_DIR / "alerts.test.yml"
ALERTMANAGER = ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
DASHBOARDS_DIR = ROOT / "deploy" / "grafana" / "dashboards"
RUNBOOK = ROOT / "docs" / "runbook.md"

SEVERITIES = ("critical", "high", "medium")


def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def alerts() -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule for rule in rules() if "alert" in rule}


def recorded_names() -> set[str]:
    return {rule["record"] for rule in rules() if "record" in rule}


def dashboards() -> dict[str, dict[str, Any]]:
    return {
        path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS_DIR.glob("*.json"))
    }


def runbook_anchors() -> set[str]:
    """GitHub's anchors for the runbook's headings: lower case, punctuation dropped."""
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*$", RUNBOOK.read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def settings(node: object) -> list[tuple[str, object]]:
    """Every (key, value) pair at any depth of a YAML document."""
    if isinstance(node, dict):
        return [pair for k, v in node.items() for pair in [(k, v), *settings(v)]]
    if isinstance(node, list):
        return [pair for item in node for pair in settings(item)]
    return []


def alertmanager_secret_files() -> set[str]:
    """The files Alertmanager's config reads secrets from (`*_file` settings)."""
    config = yaml.safe_load(ALERTMANAGER.read_text())
    return {str(value) for key, value in settings(config) if key.endswith("_file")}
