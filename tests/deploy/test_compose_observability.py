"""deploy/compose: Prometheus scrapes every service and loads the alert rules,
Alertmanager routes them with secrets from .env, Grafana provisions the dashboards."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from .observability import ALERTMANAGER, DASHBOARDS_DIR, RULES, alertmanager_secret_files, rules
from .project import COMPOSE_DIR, DEPLOYED
from .test_compose import env_example
from .tools import run


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def prometheus_config() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE_DIR / "prometheus.yml").read_text())


def mounts(service: dict[str, Any]) -> dict[Path, PurePosixPath]:
    """Host path (resolved) -> container path, for every bind mount of `service`."""
    found = {}
    for volume in service.get("volumes", []):
        source, target, *_ = volume.split(":")
        found[(COMPOSE_DIR / source).resolve()] = PurePosixPath(target)
    return found


def test_prometheus_scrapes_every_service_under_its_name(prometheus_config: dict[str, Any]) -> None:
    jobs = {
        job["job_name"]: [t for static in job["static_configs"] for t in static["targets"]]
        for job in prometheus_config["scrape_configs"]
    }
    for service in DEPLOYED:
        assert jobs[service.name] == [f"{service.name}:{service.port}"], service.name
    for job in prometheus_config["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics"


def test_prometheus_loads_the_rules_and_sends_to_alertmanager(
    compose: dict[str, Any], prometheus_config: dict[str, Any]
) -> None:
    services = compose["services"]
    rules_in_container = mounts(services["prometheus"])[RULES.resolve()]
    assert any(rules_in_container.match(pattern) for pattern in prometheus_config["rule_files"])
    targets = [
        target
        for manager in prometheus_config["alerting"]["alertmanagers"]
        for static in manager["static_configs"]
        for target in static["targets"]
    ]
    port = services["alertmanager"]["ports"][0].rsplit(":", 1)[-1]
    assert targets == [f"alertmanager:{port}"]


def test_promtool_checks_the_compose_config_with_its_rules(
    prometheus_config: dict[str, Any], tmp_path: Path
) -> None:
    local = dict(prometheus_config, rule_files=[str(RULES)])
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(local))
    result = run("promtool", "check", "config", path)
    assert f"SUCCESS: {len(rules())} rules found" in result.stdout


def test_alertmanager_reads_its_config_and_every_secret_file(compose: dict[str, Any]) -> None:
    service = compose["services"]["alertmanager"]
    config_path = mounts(service)[ALERTMANAGER.resolve()]
    assert f"--config.file={config_path}" in service["command"]
    wanted = {path.removeprefix("/run/secrets/") for path in alertmanager_secret_files()}
    assert wanted == set(service["secrets"])
    example = env_example()
    for name in wanted:
        assert compose["secrets"][name]["environment"] in example, name


def test_grafana_provisions_the_dashboards(compose: dict[str, Any]) -> None:
    service = compose["services"]["grafana"]
    dashboards_in_container = mounts(service)[DASHBOARDS_DIR.resolve()]
    provisioning = COMPOSE_DIR / "grafana" / "provisioning" / "dashboards"
    providers = [
        provider
        for path in provisioning.glob("*.yaml")
        for provider in yaml.safe_load(path.read_text())["providers"]
    ]
    assert [PurePosixPath(p["options"]["path"]) for p in providers] == [dashboards_in_container]
    home = service["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert PurePosixPath(home).parent == dashboards_in_container
    assert (DASHBOARDS_DIR / PurePosixPath(home).name).exists()
