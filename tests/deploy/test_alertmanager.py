"""deploy/alertmanager: valid for amtool, each severity to its receiver, no secret inside."""

from __future__ import annotations

import re

import pytest
import yaml

from .observability import ALERTMANAGER, SEVERITIES, alertmanager_secret_files, alerts, settings
from .tools import run

RECEIVER_BY_SEVERITY = {"critical": "pager", "high": "chat", "medium": "email"}
# Receiver settings that hold a secret; each must come from a file (`<name>_file`).
SECRET_FIELDS = re.compile(
    r"^(routing_key|service_key|api_url|url|auth_password|auth_secret|smtp_auth_password"
    r"|smtp_auth_secret|slack_api_url|pagerduty_url|bot_token|api_key|token|password)$"
)


def test_amtool_checks_the_config() -> None:
    result = run("amtool", "check-config", ALERTMANAGER)
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("severity", SEVERITIES)
def test_each_severity_reaches_its_receiver(severity: str) -> None:
    result = run(
        "amtool",
        "config",
        "routes",
        "test",
        f"--config.file={ALERTMANAGER}",
        f"--verify.receivers={RECEIVER_BY_SEVERITY[severity]}",
        f"severity={severity}",
        "alertname=AnyAlert",
    )
    assert result.stdout.strip() == RECEIVER_BY_SEVERITY[severity]


def test_every_alert_severity_has_a_route() -> None:
    config = yaml.safe_load(ALERTMANAGER.read_text())
    routed = {
        matcher.split("=", 1)[1].strip('"'): route["receiver"]
        for route in config["route"]["routes"]
        for matcher in route["matchers"]
        if matcher.startswith("severity=")
    }
    assert routed == RECEIVER_BY_SEVERITY
    assert {alert["labels"]["severity"] for alert in alerts().values()} <= set(routed)
    receivers = {r["name"]: r for r in config["receivers"]}
    assert "pagerduty_configs" in receivers["pager"]
    assert "slack_configs" in receivers["chat"]
    assert "email_configs" in receivers["email"]


def test_secrets_are_read_from_files() -> None:
    config = yaml.safe_load(ALERTMANAGER.read_text())
    literal = [key for key, _ in settings(config) if SECRET_FIELDS.match(key)]
    assert not literal, f"secret settings written in the file: {literal}"
    files = alertmanager_secret_files()
    assert len(files) == 3
    assert all(f.startswith("/run/secrets/") for f in files), files
