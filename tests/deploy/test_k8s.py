"""deploy/k8s renders with kustomize, every object validates, and every service's
Deployment runs its module safely, with probes, limits and its own credentials."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest

from .k8s_custom_resources import REQUIRED, problems
from .k8s_render import TARGETS, env_of, main_container, objects, render
from .project import BY_NAME, DEPLOYED, DEV_ONLY, K8S_DIR, SECRET_NAME, SERVICES

# The Kubernetes version the core objects are validated against (kubernetes-validate's
# schemas): the oldest release the manifests are meant for.
KUBERNETES_VERSION = "1.35"
CONFIG = "payroute-config"
EXPECTED_SERVICES = {
    "base": {s.name for s in DEPLOYED},
    "dev": {s.name for s in SERVICES},
    "prod": {s.name for s in DEPLOYED},
    "prod+keda": {s.name for s in DEPLOYED},
}
CASES = [(t, n) for t, names in EXPECTED_SERVICES.items() for n in sorted(names)]
DEPLOYED_CASES = [(t, n) for t, n in CASES if n not in DEV_ONLY]
CUSTOM_GROUPS = {api.split("/")[0] for api, _ in REQUIRED}


def is_custom(obj: dict) -> bool:
    return str(obj["apiVersion"]).split("/")[0] in CUSTOM_GROUPS


@pytest.mark.parametrize("target", TARGETS)
def test_core_objects_are_valid_kubernetes(target: str) -> None:
    for obj in render(target):
        if not is_custom(obj):
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("target", TARGETS)
def test_custom_resources_have_a_pinned_api_and_their_required_fields(target: str) -> None:
    custom = [obj for obj in render(target) if is_custom(obj)]
    assert custom
    assert [p for obj in custom for p in problems(obj)] == []


def test_custom_resource_check_can_fail() -> None:
    topic = {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaUser",
        "metadata": {"name": "u", "labels": {"strimzi.io/cluster": "c"}},
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {"type": "simple", "acls": [{"resource": {"type": "topic"}}]},
        },
    }
    assert problems(topic) == [
        "KafkaUser/u: missing spec.authorization.acls[].resource.name",
        "KafkaUser/u: missing spec.authorization.acls[].operations",
    ]
    assert problems({**topic, "apiVersion": "kafka.strimzi.io/v1beta2"}) == [
        "KafkaUser/u: unknown apiVersion/kind ('kafka.strimzi.io/v1beta2', 'KafkaUser')"
    ]


@pytest.mark.parametrize("target", TARGETS)
def test_everything_is_in_the_payroute_namespace(target: str) -> None:
    assert set(objects(target, "Namespace")) == {"payroute"}
    for obj in render(target):
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "payroute", obj["metadata"]["name"]


@pytest.mark.parametrize("target", TARGETS)
def test_one_deployment_and_service_per_service(target: str) -> None:
    extra = {"otel-collector"}
    assert set(objects(target, "Deployment")) == EXPECTED_SERVICES[target] | extra
    assert set(objects(target, "Service")) == EXPECTED_SERVICES[target] | extra


@pytest.mark.parametrize(("target", "name"), CASES)
def test_deployment_runs_its_module_behind_its_service(target: str, name: str) -> None:
    service = BY_NAME[name]
    deployment = objects(target, "Deployment")[name]
    main = main_container(deployment)
    assert main["args"] == [service.module]
    assert "command" not in main, "the image's entrypoint is `python -m`"
    assert main["ports"] == [{"name": "http", "containerPort": service.port}]
    env = env_of(main)
    assert env[f"{service.env_prefix}HOST"]["value"] == "0.0.0.0"
    assert env[f"{service.env_prefix}PORT"]["value"] == str(service.port)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    k8s_service = objects(target, "Service")[name]
    assert k8s_service["spec"]["selector"].items() <= pod_labels.items()
    assert k8s_service["spec"]["ports"] == [
        {"name": "http", "port": service.port, "targetPort": "http"}
    ]
    images = {
        c["image"]
        for d in objects(target, "Deployment").values()
        for c in d["spec"]["template"]["spec"]["containers"]
        if d["metadata"]["name"] != "otel-collector"
    }
    assert len(images) == 1, "one image for every service"


@pytest.mark.parametrize(("target", "name"), CASES)
def test_probes_limits_and_a_locked_down_pod(target: str, name: str) -> None:
    pod = objects(target, "Deployment")[name]["spec"]["template"]["spec"]
    main = main_container(objects(target, "Deployment")[name])
    assert main["startupProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["enableServiceLinks"] is False
    assert pod["automountServiceAccountToken"] is False
    tmp = [v["name"] for v in pod["volumes"] if "emptyDir" in v]
    for container in pod["containers"] + pod.get("initContainers", []):
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) == {"cpu", "memory"}, container["name"]
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert mounts["/tmp"] in tmp, "a writable /tmp on a read-only root"


@pytest.mark.parametrize(("target", "name"), DEPLOYED_CASES)
def test_termination_outlasts_the_services_own_shutdown(target: str, name: str) -> None:
    """SIGTERM comes after preStop; the service then has SHUTDOWN_GRACE_S to finish its
    batch and commit offsets, and Kubernetes must not kill it before."""
    service = BY_NAME[name]
    pod = objects(target, "Deployment")[name]["spec"]["template"]["spec"]
    main = main_container(objects(target, "Deployment")[name])
    grace = float(env_of(main)[f"{service.env_prefix}SHUTDOWN_GRACE_S"]["value"])
    pre_stop = main["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + grace + 10


@pytest.mark.parametrize(("target", "name"), DEPLOYED_CASES)
def test_spread_over_zones_and_nodes(target: str, name: str) -> None:
    pod = objects(target, "Deployment")[name]["spec"]["template"]["spec"]
    spread = {c["topologyKey"]: c for c in pod["topologySpreadConstraints"]}
    assert set(spread) == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
    for constraint in spread.values():
        assert constraint["labelSelector"]["matchLabels"] == {"app.kubernetes.io/name": name}


@pytest.mark.parametrize(("target", "name"), DEPLOYED_CASES)
def test_migrations_run_in_an_init_container_before_the_service(target: str, name: str) -> None:
    service = BY_NAME[name]
    pod = objects(target, "Deployment")[name]["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    main = main_container(objects(target, "Deployment")[name])
    url = f"{service.env_prefix}DATABASE_URL"
    assert init["name"] == "migrate"
    assert init["image"] == main["image"]
    assert init["command"][:2] == ["python", "-c"]
    assert "upgrade_to_head" in init["command"][2]
    assert init["command"][3:] == [service.module, url]
    assert env_of(init)[url] == env_of(main)[url]


@pytest.mark.parametrize("target", TARGETS)
def test_secrets_are_referenced_never_included(target: str) -> None:
    assert not objects(target, "Secret")
    assert not [k for k in objects(target, "ConfigMap")[CONFIG]["data"] if SECRET_NAME.search(k)]
    for deployment in objects(target, "Deployment").values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            env = env_of(container)
            from_secrets = {n for n, e in env.items() if "secretKeyRef" in e.get("valueFrom", {})}
            for name, entry in env.items():
                if not SECRET_NAME.search(name) or name in from_secrets:
                    continue
                # Only a value assembled from secret references, e.g. the database URL.
                refs = set(re.findall(r"\$\(([A-Z_]+)\)", entry["value"]))
                assert refs, name
                assert refs <= from_secrets, name


def test_provider_secret_keys_are_documented() -> None:
    lines = (K8S_DIR / "payroute-providers.env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    assert all(value == "" for _, value in pairs), "key names only, no values"
    documented = {key for key, _ in pairs}
    referenced = {
        e["valueFrom"]["secretKeyRef"]["key"]
        for target in ("dev", "prod")
        for d in objects(target, "Deployment").values()
        for e in main_container(d).get("env", [])
        if e.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == "payroute-providers"
    }
    assert referenced == documented


def test_simulator_is_in_dev_only() -> None:
    assert "provider-simulator" in objects("dev", "Deployment")
    for target in ("base", "prod"):
        assert "provider-simulator" not in objects(target, "Deployment")


@pytest.mark.parametrize("target", ["base", "dev", "prod"])
def test_provider_api_bases(target: str) -> None:
    data = objects(target, "ConfigMap")[CONFIG]["data"]
    bases = {k: v for k, v in data.items() if k.endswith("_API_BASE")}
    assert set(bases) == {
        "STRIPE_API_BASE",
        "PAYMONGO_API_BASE",
        "XENDIT_API_BASE",
        "MAYA_API_BASE",
    }
    if target == "dev":
        simulator = BY_NAME["provider-simulator"]
        assert set(bases.values()) == {f"http://{simulator.name}:{simulator.port}"}
    else:
        assert all(v.startswith("https://") for v in bases.values())
