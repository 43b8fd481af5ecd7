"""Everything around the services on Kubernetes: Postgres per service, autoscaling and
disruption budgets, monitoring and tracing (network policies and the Ingress are in
test_k8s_network.py)."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest
import yaml

from payroute_common.topics import ALL_TOPICS

from .k8s_code import kafka_use
from .k8s_render import TARGETS, env_of, main_container, objects, selects
from .project import BY_NAME, DEPLOYED, HTTP_EDGES, K8S_DIR, ROOT, settings_default

DB_CLUSTER = "payroute-db"
CONSUMERS = {s.name for s in DEPLOYED if kafka_use(s).group and s.name not in HTTP_EDGES}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("k8s_generate", K8S_DIR / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- Postgres ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_one_database_and_role_per_service_with_its_own_secret(target: str) -> None:
    (cluster,) = objects(target, "Cluster").values()
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in objects(target, "Database").values()}
    seen_roles, seen_databases = set(), set()
    for service in DEPLOYED:
        main = main_container(objects(target, "Deployment")[service.name])
        env = env_of(main)
        secret = f"{service.name}-db"
        assert env["PAYROUTE_DB_USER"]["valueFrom"]["secretKeyRef"] == {
            "name": secret,
            "key": "username",
        }
        assert env["PAYROUTE_DB_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": secret,
            "key": "password",
        }
        url = env[f"{service.env_prefix}DATABASE_URL"]["value"]
        match = re.fullmatch(
            r"postgresql\+asyncpg://\$\(PAYROUTE_DB_USER\):\$\(PAYROUTE_DB_PASSWORD\)"
            r"@([a-z-]+):5432/([a-z_]+)\?ssl=require",
            url,
        )
        assert match, url
        host, database = match.groups()
        assert host == f"{cluster['metadata']['name']}-rw", "the primary"
        owner = databases[database]["owner"]
        assert databases[database]["cluster"]["name"] == cluster["metadata"]["name"]
        assert roles[owner]["passwordSecret"]["name"] == secret
        assert roles[owner]["login"] is True
        seen_roles.add(owner)
        seen_databases.add(database)
    assert len(seen_roles) == len(seen_databases) == len(DEPLOYED), "nothing shared"


@pytest.mark.parametrize("target", TARGETS)
def test_connection_pools_fit_postgres_at_the_autoscalers_maxima(target: str) -> None:
    """Each replica (and one surge replica during a rollout) holds its full pool."""
    (cluster,) = objects(target, "Cluster").values()
    limit = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    maxima = {**_hpa_maxima(target), **_keda_maxima(target)}
    needed = 0
    for service in DEPLOYED:
        env = env_of(main_container(objects(target, "Deployment")[service.name]))
        pool = int(env.get(f"{service.env_prefix}DB_POOL_SIZE", {}).get("value", 0)) or (
            settings_default(service, "db_pool_size")
        )
        needed += (maxima[service.name] + 1) * pool
    reserved = 20  # superuser, replication, the operator, migrations
    assert needed + reserved <= limit


def test_prod_backs_up_to_object_storage() -> None:
    (cluster,) = objects("prod", "Cluster").values()
    (plugin,) = cluster["spec"]["plugins"]
    assert plugin["isWALArchiver"] is True
    store = objects("prod", "ObjectStore")[plugin["parameters"]["barmanObjectName"]]
    assert store["spec"]["configuration"]["destinationPath"].startswith("s3://")
    assert store["spec"]["retentionPolicy"]
    (backup,) = objects("prod", "ScheduledBackup").values()
    assert backup["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert backup["spec"]["method"] == "plugin"
    assert backup["spec"]["pluginConfiguration"]["name"] == plugin["name"]
    assert cluster["spec"]["instances"] == 3


def test_prod_secrets_come_from_the_secret_store() -> None:
    external = objects("prod", "ExternalSecret")
    targets = {e["spec"]["target"]["name"] for e in external.values()}
    needed = {f"{s.name}-db" for s in DEPLOYED} | {"payroute-providers"}
    (store,) = objects("prod", "ObjectStore").values()
    needed.add(store["spec"]["configuration"]["s3Credentials"]["accessKeyId"]["name"])
    assert targets == needed
    for name in (f"{s.name}-db" for s in DEPLOYED):
        template = external[name]["spec"]["target"]["template"]
        assert template["type"] == "kubernetes.io/basic-auth"
    assert not objects("dev", "ExternalSecret"), "dev secrets are made by hand"


# --- Autoscaling and disruption ---------------------------------------------------------


def _hpa_maxima(target: str) -> dict[str, int]:
    return {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"]
        for h in objects(target, "HorizontalPodAutoscaler").values()
    }


def _keda_maxima(target: str) -> dict[str, int]:
    return {
        s["spec"]["scaleTargetRef"]["name"]: s["spec"]["maxReplicaCount"]
        for s in objects(target, "ScaledObject").values()
    }


@pytest.mark.parametrize("target", TARGETS)
def test_every_deployment_has_one_autoscaler_and_a_disruption_budget(target: str) -> None:
    hpas = [
        h["spec"]["scaleTargetRef"]["name"]
        for h in objects(target, "HorizontalPodAutoscaler").values()
    ]
    scaled = [s["spec"]["scaleTargetRef"]["name"] for s in objects(target, "ScaledObject").values()]
    for name, deployment in objects(target, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        budgets = [
            p
            for p in objects(target, "PodDisruptionBudget").values()
            if selects(p["spec"]["selector"], labels)
        ]
        assert len(budgets) == 1, name
        assert budgets[0]["spec"] == {**budgets[0]["spec"], "maxUnavailable": 1}
        if name == "provider-simulator":
            continue  # one replica by design: its ledger is in memory
        assert (hpas + scaled).count(name) == 1, name
        assert "replicas" not in deployment["spec"], f"{name}: the autoscaler owns the count"


@pytest.mark.parametrize("target", TARGETS)
def test_consumers_never_outnumber_their_partitions(target: str) -> None:
    partitions = {
        t["spec"]["topicName"]: t["spec"]["partitions"]
        for t in objects(target, "KafkaTopic").values()
    }
    maxima = {**_hpa_maxima(target), **_keda_maxima(target)}
    for name in CONSUMERS:
        consumed = kafka_use(BY_NAME[name]).consumes
        assert maxima[name] <= max(partitions[t] for t in consumed), name


def test_keda_component_scales_consumers_on_their_groups_lag() -> None:
    scaled = objects("prod+keda", "ScaledObject")
    assert set(scaled) == CONSUMERS
    assert not CONSUMERS & set(_hpa_maxima("prod+keda")), "KEDA's own HPA replaces the CPU one"
    auths = objects("prod+keda", "TriggerAuthentication")
    for name, obj in scaled.items():
        kafka, cpu = obj["spec"]["triggers"]
        assert kafka["type"] == "kafka"
        assert cpu["type"] == "cpu"
        assert kafka["metadata"]["consumerGroup"] == kafka_use(BY_NAME[name]).group
        assert kafka["metadata"]["allowIdleConsumers"] == "false"
        auth = auths[kafka["authenticationRef"]["name"]]["spec"]
        refs = {r["parameter"]: r for r in auth["secretTargetRef"]}
        assert refs["password"]["name"] == name, "the service's own KafkaUser"
        assert auth["env"] == [
            {"parameter": "username", "name": "KAFKA_SASL_USERNAME", "containerName": name}
        ]


# --- Monitoring and tracing ---------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
def test_every_service_has_a_service_monitor(target: str) -> None:
    monitors = objects(target, "ServiceMonitor")
    assert {s.name for s in DEPLOYED} <= set(monitors)
    alerts = (ROOT / "deploy" / "prometheus" / "alerts.yml").read_text()
    jobs = re.search(r'up\{job=~"([^"]+)"\}', alerts)
    assert jobs, "ServiceDown names the jobs"
    # prometheus-operator names the job after the Service; ServiceDown relies on it.
    assert set(jobs[1].split("|")) <= set(monitors)
    for name, monitor in monitors.items():
        assert "jobLabel" not in monitor["spec"]
        labels = objects(target, "Service")[name]["metadata"]["labels"]
        assert selects(monitor["spec"]["selector"], labels)


@pytest.mark.parametrize("target", TARGETS)
def test_prometheus_rule_is_alerts_yml(target: str) -> None:
    (rule,) = objects(target, "PrometheusRule").values()
    source = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    assert rule["spec"]["groups"] == source["groups"]


@pytest.mark.parametrize("target", TARGETS)
def test_dashboards_are_config_maps_for_the_grafana_sidecar(target: str) -> None:
    maps = [
        m
        for m in objects(target, "ConfigMap").values()
        if m["metadata"].get("labels", {}).get("grafana_dashboard")
    ]
    files = {
        p.name: p.read_text() for p in (ROOT / "deploy" / "grafana" / "dashboards").glob("*.json")
    }
    assert all(m["metadata"]["labels"]["grafana_dashboard"] == "1" for m in maps)
    assert {k: v for m in maps for k, v in m["data"].items()} == files


def test_generated_copies_are_up_to_date() -> None:
    generator = _generator()
    for path, text in generator.outputs().items():
        assert path.read_text() == text, f"{path.name}: run deploy/k8s/generate.py"


@pytest.mark.parametrize("target", TARGETS)
def test_every_service_sends_traces_to_the_collector(target: str) -> None:
    config = objects(target, "ConfigMap")["payroute-config"]["data"]
    collector = objects(target, "Service")["otel-collector"]
    ports = {p["port"] for p in collector["spec"]["ports"]}
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
    assert {4317, 4318} <= ports
    pipeline = yaml.safe_load(objects(target, "ConfigMap")["otel-collector"]["data"]["config.yaml"])
    assert pipeline["service"]["pipelines"]["traces"]["receivers"] == ["otlp"]
    for service in DEPLOYED:
        main = main_container(objects(target, "Deployment")[service.name])
        assert {"configMapRef": {"name": "payroute-config"}} in main["envFrom"]
        assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in env_of(main), "one place sets it"


def test_topic_registry_sizes_are_what_the_overlays_start_from() -> None:
    base = {
        t["spec"]["topicName"]: t["spec"]["partitions"]
        for t in objects("base", "KafkaTopic").values()
    }
    assert base == {spec.name: spec.partitions for spec in ALL_TOPICS}
