"""deploy/k8s: the rendered overlays are valid Kubernetes, wired like the services expect,
and declare exactly the topics in payroute_common.topics."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from payroute_common.topics import ALL_TOPICS

from .kustomize import Manifest, load_documents, render
from .project import BY_NAME, DEPLOYED, K8S_DIR, SECRET_NAME, SERVICES, Service

KUBERNETES_VERSION = "1.35"
STRIMZI_API = "kafka.strimzi.io/v1beta2"
SECRET = "payroute-secrets"
CONFIG = "payroute-config"
PARTITIONED_LABEL = "payroute.io/partitioned"

OVERLAYS = {
    "base": K8S_DIR / "base",
    "dev": K8S_DIR / "overlays" / "dev",
    "prod": K8S_DIR / "overlays" / "prod",
}
RENDERED = {name: render(path) for name, path in OVERLAYS.items()}
EXPECTED_DEPLOYMENTS = {
    "base": {s.name for s in DEPLOYED},
    "dev": {s.name for s in SERVICES},
    "prod": {s.name for s in DEPLOYED},
}
DEPLOYMENT_CASES = [(o, s) for o, names in EXPECTED_DEPLOYMENTS.items() for s in sorted(names)]


def objects(overlay: str, kind: str) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in RENDERED[overlay] if o["kind"] == kind}


def container(deployment: Manifest) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def is_strimzi(obj: Manifest) -> bool:
    return str(obj["apiVersion"]).startswith("kafka.strimzi.io/")


def config_data(overlay: str) -> dict[str, str]:
    return objects(overlay, "ConfigMap")[CONFIG]["data"]


def canonical(manifests: list[Manifest]) -> list[str]:
    return sorted(json.dumps(m, sort_keys=True) for m in manifests)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (kustomize) not installed")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_renderer_agrees_with_kubectl_kustomize(overlay: str) -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAYS[overlay])],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert canonical(list(yaml.safe_load_all(result.stdout))) == canonical(RENDERED[overlay])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubernetes_objects_are_valid(overlay: str) -> None:
    kinds = set()
    for obj in RENDERED[overlay]:
        if is_strimzi(obj):
            continue
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        kinds.add(obj["kind"])
    assert kinds == {"Namespace", "ConfigMap", "Deployment", "Service"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_deployment_and_service_per_service(overlay: str) -> None:
    assert set(objects(overlay, "Deployment")) == EXPECTED_DEPLOYMENTS[overlay]
    assert set(objects(overlay, "Service")) == EXPECTED_DEPLOYMENTS[overlay]
    namespace = next(iter(objects(overlay, "Namespace")))
    for obj in RENDERED[overlay]:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == namespace


@pytest.mark.parametrize(("overlay", "name"), DEPLOYMENT_CASES)
def test_deployment_runs_its_module_with_probes_limits_and_no_root(overlay: str, name: str) -> None:
    service: Service = BY_NAME[name]
    deployment = objects(overlay, "Deployment")[name]
    pod = deployment["spec"]["template"]["spec"]
    main = container(deployment)
    images = {container(d)["image"] for d in objects(overlay, "Deployment").values()}
    assert len(images) == 1, "one image for every service"
    assert main["args"] == [service.module]
    assert "command" not in main, "the image's entrypoint is `python -m`"
    assert main["ports"] == [{"name": "http", "containerPort": service.port}]
    env = {e["name"]: e for e in main["env"]}
    assert env[f"{service.env_prefix}HOST"]["value"] == "0.0.0.0"
    assert env[f"{service.env_prefix}PORT"]["value"] == str(service.port)
    probes = {p: main[p]["httpGet"] for p in ("readinessProbe", "livenessProbe")}
    assert probes["readinessProbe"] == {"path": "/health/ready", "port": "http"}
    assert probes["livenessProbe"] == {"path": "/health/live", "port": "http"}
    for bound in ("requests", "limits"):
        assert set(main["resources"][bound]) == {"cpu", "memory"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["enableServiceLinks"] is False
    assert main["securityContext"]["allowPrivilegeEscalation"] is False
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    assert deployment["spec"]["selector"]["matchLabels"].items() <= (
        deployment["spec"]["template"]["metadata"]["labels"].items()
    )


@pytest.mark.parametrize(("overlay", "name"), DEPLOYMENT_CASES)
def test_service_routes_to_its_deployment(overlay: str, name: str) -> None:
    deployment = objects(overlay, "Deployment")[name]
    service = objects(overlay, "Service")[name]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"] == [
        {"name": "http", "port": BY_NAME[name].port, "targetPort": "http"}
    ]


def test_simulator_is_in_dev_only() -> None:
    assert "provider-simulator" in objects("dev", "Deployment")
    assert "provider-simulator" not in objects("base", "Deployment")
    assert "provider-simulator" not in objects("prod", "Deployment")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_provider_api_bases(overlay: str) -> None:
    bases = {k: v for k, v in config_data(overlay).items() if k.endswith("_API_BASE")}
    assert set(bases) == {"STRIPE_API_BASE", "PAYMONGO_API_BASE", "XENDIT_API_BASE"}
    if overlay == "dev":
        simulator = BY_NAME["provider-simulator"]
        assert set(bases.values()) == {f"http://{simulator.name}:{simulator.port}"}
        env = {e["name"]: e for e in container(objects("dev", "Deployment")[simulator.name])["env"]}
        ingest = BY_NAME["webhook-ingest"]
        assert env["PROVIDER_SIMULATOR_WEBHOOK_BASE_URL"]["value"] == (
            f"http://{ingest.name}:{ingest.port}/webhooks"
        )
    else:
        assert all(v.startswith("https://") for v in bases.values())


def secret_keys_documented() -> set[str]:
    lines = (K8S_DIR / "payroute-secrets.env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    assert all(value == "" for _, value in pairs), "key names only, no values"
    return {key for key, _ in pairs}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_never_included(overlay: str) -> None:
    assert not objects(overlay, "Secret")
    assert not [k for k in config_data(overlay) if SECRET_NAME.search(k)]
    referenced = set()
    for deployment in objects(overlay, "Deployment").values():
        main = container(deployment)
        assert [s["configMapRef"]["name"] for s in main.get("envFrom", [])] in ([], [CONFIG])
        for env in main["env"]:
            if not SECRET_NAME.search(env["name"]):
                continue
            assert "value" not in env, env["name"]
            ref = env["valueFrom"]["secretKeyRef"]
            assert (ref["name"], ref["key"]) == (SECRET, env["name"])
            referenced.add(ref["key"])
    for service in DEPLOYED:
        assert f"{service.env_prefix}DATABASE_URL" in referenced
    assert referenced == secret_keys_documented()


def strimzi(overlay: str, kind: str) -> dict[str, Manifest]:
    found = objects(overlay, kind)
    for obj in found.values():
        assert obj["apiVersion"] == STRIMZI_API
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_strimzi_kafka_cluster_in_kraft_mode(overlay: str) -> None:
    assert {o["kind"] for o in RENDERED[overlay] if is_strimzi(o)} == {
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
    }
    (name, kafka), *others = strimzi(overlay, "Kafka").items()
    assert not others
    spec = kafka["spec"]
    assert "zookeeper" not in spec
    assert "topicOperator" in spec["entityOperator"], "KafkaTopics need the topic operator"
    pools = strimzi(overlay, "KafkaNodePool").values()
    roles = {role for pool in pools for role in pool["spec"]["roles"]}
    assert roles == {"controller", "broker"}
    for pool in pools:
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == name
        assert pool["spec"]["replicas"] >= 1
        assert pool["spec"]["storage"]["type"] in {"persistent-claim", "jbod", "ephemeral"}
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    config = spec["kafka"]["config"]
    assert config["auto.create.topics.enable"] is False
    assert config["default.replication.factor"] <= brokers
    assert config["offsets.topic.replication.factor"] <= brokers
    assert config["min.insync.replicas"] <= config["default.replication.factor"]
    host, _, port = config_data(overlay)["KAFKA_BOOTSTRAP_SERVERS"].partition(":")
    assert host == f"{name}-kafka-bootstrap"
    plain = [x for x in spec["kafka"]["listeners"] if x["port"] == int(port)]
    assert plain == [{"name": "plain", "port": int(port), "type": "internal", "tls": False}]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_topics_are_the_registry(overlay: str) -> None:
    topics = strimzi(overlay, "KafkaTopic").values()
    prefix = config_data(overlay)["TOPIC_PREFIX"]
    registry = {f"{prefix}{spec.name}": spec for spec in ALL_TOPICS}
    by_name = {t["spec"]["topicName"]: t for t in topics}
    assert len(by_name) == len(topics)
    assert set(by_name) == set(registry), "a KafkaTopic for every registered topic, no other"
    (cluster,) = strimzi(overlay, "Kafka")
    brokers = sum(
        p["spec"]["replicas"]
        for p in strimzi(overlay, "KafkaNodePool").values()
        if "broker" in p["spec"]["roles"]
    )
    for name, topic in by_name.items():
        spec = registry[name]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == cluster
        assert topic["spec"]["config"]["retention.ms"] == spec.retention_ms
        partitioned = topic["metadata"]["labels"].get(PARTITIONED_LABEL) == "true"
        assert partitioned == (spec.partitions > 1), name
        if overlay == "base":
            assert topic["spec"]["partitions"] == spec.partitions
        else:
            assert topic["spec"]["partitions"] >= spec.partitions
        replicas = topic["spec"]["replicas"]
        assert 1 <= replicas <= brokers
        assert topic["spec"]["config"].get("min.insync.replicas", 1) <= max(replicas - 1, 1)


def test_prod_is_bigger_than_dev() -> None:
    def deployment_replicas(overlay: str) -> set[int]:
        return {d["spec"]["replicas"] for d in objects(overlay, "Deployment").values()}

    def topic(overlay: str, name: str) -> dict[str, Any]:
        return {t["spec"]["topicName"]: t["spec"] for t in objects(overlay, "KafkaTopic").values()}[
            name
        ]

    assert min(deployment_replicas("prod")) > max(deployment_replicas("dev"))
    assert (
        topic("prod", "payment.events")["partitions"] > topic("dev", "payment.events")["partitions"]
    )
    assert topic("prod", "payment.events")["replicas"] > topic("dev", "payment.events")["replicas"]


def test_renderer_refuses_what_it_cannot_merge(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    (tmp_path / "patch.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: [1]}\n"
    )
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\npatches: [{path: patch.yaml}]\n"
    )
    with pytest.raises(ValueError, match="lists in patches"):
        render(tmp_path)
    (tmp_path / "kustomization.yaml").write_text("resources: [cm.yaml]\nimages: []\n")
    with pytest.raises(ValueError, match="unsupported keys"):
        render(tmp_path)
    assert load_documents(tmp_path / "cm.yaml")[0]["metadata"] == {"name": "c"}
