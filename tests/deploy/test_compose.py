"""deploy/compose: every service wired as the README and the services' settings say."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from .project import BY_NAME, COMPOSE_DIR, DEPLOYED, ROOT, SECRET_NAME, SERVICES, Service

INFRA = {
    "kafka",
    "postgres",
    "otel-collector",
    "jaeger",
    "prometheus",
    "alertmanager",
    "grafana",
}
# Distroless image: no shell or HTTP client inside to probe itself with.
NO_HEALTHCHECK = {"otel-collector", "jaeger"}
# `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


class MissingVariableError(KeyError):
    pass


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution (without nesting, which compose.yaml does not use)."""

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        unset = current is None or (op is not None and op.startswith(":") and not current)
        if unset and op in {":?", "?"}:
            raise MissingVariableError(name)
        if unset and op in {":-", "-"}:
            return arg
        return current or ""

    return VARIABLE.sub(substitute, value.replace("$$", "\0")).replace("\0", "$")


def strings(node: object) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return [node] if isinstance(node, str) else []


def env_example() -> dict[str, str]:
    lines = (COMPOSE_DIR / ".env.example").read_text().splitlines()
    pairs = (line.partition("=") for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): value for name, _, value in pairs}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def environment(services: dict[str, Any], name: str) -> dict[str, str]:
    env = services[name].get("environment", {})
    assert isinstance(env, dict), f"{name}: environment must be a mapping"
    return {k: str(v) for k, v in env.items()}


def test_every_service_and_the_infrastructure_are_there(services: dict[str, Any]) -> None:
    assert set(services) == {s.name for s in SERVICES} | INFRA


def test_every_service_has_an_image_and_a_healthcheck(services: dict[str, Any]) -> None:
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        if name not in NO_HEALTHCHECK:
            assert service["healthcheck"]["test"], name


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_service_runs_its_module_from_the_one_dockerfile(
    services: dict[str, Any], service: Service
) -> None:
    spec = services[service.name]
    context = (COMPOSE_DIR / spec["build"]["context"]).resolve()
    assert context == ROOT
    assert (context / spec["build"]["dockerfile"]).samefile(ROOT / "Dockerfile")
    assert spec["command"] == [service.module]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_service_listens_health_checks_and_publishes_its_port(
    services: dict[str, Any], service: Service
) -> None:
    spec = services[service.name]
    env = environment(services, service.name)
    assert env[f"{service.env_prefix}HOST"] == "0.0.0.0"
    assert env[f"{service.env_prefix}PORT"] == str(service.port)
    assert spec["ports"] == [f"127.0.0.1:{service.port}:{service.port}"]
    probe = " ".join(spec["healthcheck"]["test"])
    assert f"http://127.0.0.1:{service.port}/health/ready" in probe


@pytest.mark.parametrize("service", DEPLOYED, ids=lambda s: s.name)
def test_service_waits_for_a_healthy_broker_and_database(
    services: dict[str, Any], service: Service
) -> None:
    depends = services[service.name]["depends_on"]
    for infra in ("kafka", "postgres"):
        assert depends[infra]["condition"] == "service_healthy"
    env = environment(services, service.name)
    kafka_host, _, kafka_port = env["KAFKA_BOOTSTRAP_SERVERS"].partition(":")
    assert kafka_host == "kafka"
    assert f"PLAINTEXT://{kafka_host}:{kafka_port}" in environment(services, "kafka").values()


def test_no_literal_secrets(services: dict[str, Any]) -> None:
    whole_reference = re.compile(rf"^{VARIABLE.pattern}$")
    for name in services:
        for var, value in environment(services, name).items():
            if not SECRET_NAME.search(var):
                continue
            secret = value
            if var.endswith("DATABASE_URL"):
                # The password of the URL (before its last "@"); the rest is not secret.
                secret = re.sub(r"^[\w+]+://[^:/@]+:(.*)@[^@]+$", r"\1", value)
            assert whole_reference.match(secret), f"{name}: {var}"


def test_every_required_variable_is_in_env_example_without_a_value(
    compose: dict[str, Any],
) -> None:
    example = env_example()
    assert not {k: v for k, v in example.items() if v}, "placeholders only, no values"
    required = {
        m["name"]
        for text in strings(compose)
        for m in VARIABLE.finditer(text)
        if m["op"] in {":?", "?"}
    }
    assert required
    assert required <= set(example)
    filled = dict.fromkeys(example, "x")
    for text in strings(compose):
        interpolate(text, filled)
    with pytest.raises(MissingVariableError):
        interpolate(environment(compose["services"], "postgres")["POSTGRES_PASSWORD"], {})


def test_each_service_has_its_own_database_created_by_the_init_script(
    services: dict[str, Any],
) -> None:
    init = services["postgres"]["volumes"][0].split(":")[0]
    sql = "".join(p.read_text() for p in sorted((COMPOSE_DIR / init).glob("*.sql")))
    created = set(re.findall(r"CREATE DATABASE (\w+);", sql))
    password = {"POSTGRES_PASSWORD": "x"}
    urls = {
        s.name: urlsplit(
            interpolate(environment(services, s.name)[f"{s.env_prefix}DATABASE_URL"], password)
        )
        for s in DEPLOYED
    }
    assert {s: u.path.lstrip("/") for s, u in urls.items()} == {
        s.name: f"payroute_{s.module}" for s in DEPLOYED
    }
    assert created == {u.path.lstrip("/") for u in urls.values()}
    for url in urls.values():
        assert url.scheme == "postgresql+asyncpg"
        assert (url.hostname, url.port) == ("postgres", 5432)
        assert url.username == environment(services, "postgres")["POSTGRES_USER"]


def test_simulator_stands_in_for_the_providers(services: dict[str, Any]) -> None:
    simulator = BY_NAME["provider-simulator"]
    simulator_url = f"http://{simulator.name}:{simulator.port}"
    worker = environment(services, "provider-worker")
    for var in ("STRIPE_API_BASE", "PAYMONGO_API_BASE", "XENDIT_API_BASE"):
        assert interpolate(worker[var], {}) == simulator_url
    assert services["provider-worker"]["depends_on"][simulator.name]["condition"] == (
        "service_healthy"
    )
    ingest = BY_NAME["webhook-ingest"]
    sim_env = environment(services, simulator.name)
    assert sim_env["PROVIDER_SIMULATOR_WEBHOOK_BASE_URL"] == (
        f"http://{ingest.name}:{ingest.port}/webhooks"
    )
    # The simulator signs webhooks and checks API keys with the secrets the services hold.
    assert sim_env["STRIPE_API_KEY"] == worker["STRIPE_API_KEY"]
    webhook_secret = environment(services, ingest.name)["STRIPE_WEBHOOK_SECRET"]
    assert sim_env["STRIPE_WEBHOOK_SECRET"] == webhook_secret


def test_kafka_is_a_single_kraft_node(services: dict[str, Any]) -> None:
    assert services["kafka"]["image"].startswith("apache/kafka:")
    env = environment(services, "kafka")
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert "ZOOKEEPER" not in " ".join(env)


def test_postgres_is_16(services: dict[str, Any]) -> None:
    assert re.fullmatch(r"postgres:16(\.\d+)?(-[\w.]+)?", services["postgres"]["image"])


def test_mounted_files_exist(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE_DIR / source).exists(), f"{name}: {source}"


def test_services_send_traces_to_the_collector(services: dict[str, Any]) -> None:
    collector = yaml.safe_load((COMPOSE_DIR / "otel-collector.yaml").read_text())
    http_port = collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].rsplit(":")[-1]
    assert "otlp" in collector["service"]["pipelines"]["traces"]["receivers"]
    for service in DEPLOYED:
        endpoint = environment(services, service.name)["OTEL_EXPORTER_OTLP_ENDPOINT"]
        assert endpoint == f"http://otel-collector:{http_port}"
    mount = services["otel-collector"]["volumes"][0].split(":")
    assert services["otel-collector"]["command"] == [f"--config={mount[1]}"]


def test_the_collector_sends_traces_to_jaeger(services: dict[str, Any]) -> None:
    collector = yaml.safe_load((COMPOSE_DIR / "otel-collector.yaml").read_text())
    exporters = collector["service"]["pipelines"]["traces"]["exporters"]
    jaeger = [collector["exporters"][name] for name in exporters if name.startswith("otlp")]
    assert [e["endpoint"] for e in jaeger] == ["jaeger:4317"]
    assert services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    assert "jaeger" in services["otel-collector"]["depends_on"]


def test_prometheus_scrapes_metrics_exporter_and_grafana_reads_prometheus(
    services: dict[str, Any],
) -> None:
    config = yaml.safe_load((COMPOSE_DIR / "prometheus.yml").read_text())
    exporter = BY_NAME["metrics-exporter"]
    targets = [
        (job.get("metrics_path", "/metrics"), target)
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    ]
    assert ("/metrics", f"{exporter.name}:{exporter.port}") in targets
    provisioning = COMPOSE_DIR / "grafana" / "provisioning" / "datasources"
    datasources = [
        source
        for path in provisioning.glob("*.yaml")
        for source in yaml.safe_load(path.read_text())["datasources"]
    ]
    assert [(d["type"], d["url"]) for d in datasources] == [
        ("prometheus", "http://prometheus:9090")
    ]
    assert any(v.startswith("./grafana/provisioning:") for v in services["grafana"]["volumes"])
