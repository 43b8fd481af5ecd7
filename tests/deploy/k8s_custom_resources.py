"""A structural check of the custom resources deploy/k8s uses, pinned to one API version
each, until the operators' CRD schemas are available to validate against.

Each kind names the fields its operator requires (dotted paths; `[]` walks a list) and
the enumerations it knows; anything unknown (another apiVersion, another kind) fails.
"""

from __future__ import annotations

from typing import Any

Manifest = dict[str, Any]

# (apiVersion, kind) -> required field paths. The operators' versions the API versions
# need are in deploy/README.md (Prerequisites).
REQUIRED: dict[tuple[str, str], tuple[str, ...]] = {
    ("kafka.strimzi.io/v1", "Kafka"): (
        "spec.kafka.listeners[].name",
        "spec.kafka.listeners[].port",
        "spec.kafka.listeners[].type",
        "spec.kafka.listeners[].tls",
        "spec.entityOperator.topicOperator",
        "spec.entityOperator.userOperator",
    ),
    ("kafka.strimzi.io/v1", "KafkaNodePool"): (
        "metadata.labels.strimzi.io/cluster",
        "spec.replicas",
        "spec.roles",
        "spec.storage.type",
    ),
    ("kafka.strimzi.io/v1", "KafkaTopic"): (
        "metadata.labels.strimzi.io/cluster",
        "spec.topicName",
        "spec.partitions",
        "spec.replicas",
    ),
    ("kafka.strimzi.io/v1", "KafkaUser"): (
        "metadata.labels.strimzi.io/cluster",
        "spec.authentication.type",
        "spec.authorization.type",
        "spec.authorization.acls[].resource.type",
        "spec.authorization.acls[].resource.name",
        "spec.authorization.acls[].operations",
    ),
    ("postgresql.cnpg.io/v1", "Cluster"): ("spec.instances", "spec.storage.size"),
    ("postgresql.cnpg.io/v1", "Database"): ("spec.name", "spec.owner", "spec.cluster.name"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): ("spec.schedule", "spec.cluster.name"),
    ("barmancloud.cnpg.io/v1", "ObjectStore"): ("spec.configuration.destinationPath",),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): (
        "spec.selector",
        "spec.endpoints[].port",
    ),
    ("monitoring.coreos.com/v1", "PrometheusRule"): (
        "spec.groups[].name",
        "spec.groups[].rules",
    ),
    ("keda.sh/v1alpha1", "ScaledObject"): (
        "spec.scaleTargetRef.name",
        "spec.triggers[].type",
        "spec.triggers[].metadata",
    ),
    ("keda.sh/v1alpha1", "TriggerAuthentication"): ("spec",),
    ("external-secrets.io/v1", "ExternalSecret"): (
        "spec.secretStoreRef.name",
        "spec.secretStoreRef.kind",
        "spec.target.name",
    ),
}

# (kind, field path) -> allowed values (every value, for lists).
ENUMS: dict[tuple[str, str], frozenset[Any]] = {
    ("KafkaNodePool", "spec.roles"): frozenset({"controller", "broker"}),
    ("KafkaNodePool", "spec.storage.type"): frozenset({"ephemeral", "persistent-claim", "jbod"}),
    ("Kafka", "spec.kafka.listeners[].type"): frozenset(
        {"internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip"}
    ),
    ("KafkaUser", "spec.authentication.type"): frozenset({"tls", "tls-external", "scram-sha-512"}),
    ("KafkaUser", "spec.authorization.type"): frozenset({"simple"}),
    ("KafkaUser", "spec.authorization.acls[].resource.type"): frozenset(
        {"topic", "group", "cluster", "transactionalId"}
    ),
    ("KafkaUser", "spec.authorization.acls[].resource.patternType"): frozenset(
        {"literal", "prefix"}
    ),
    ("KafkaUser", "spec.authorization.acls[].operations"): frozenset(
        {
            "Read",
            "Write",
            "Create",
            "Delete",
            "Alter",
            "Describe",
            "ClusterAction",
            "AlterConfigs",
            "DescribeConfigs",
            "IdempotentWrite",
            "All",
        }
    ),
    ("ScheduledBackup", "spec.method"): frozenset(
        {"barmanObjectStore", "volumeSnapshot", "plugin"}
    ),
    ("ExternalSecret", "spec.secretStoreRef.kind"): frozenset(
        {"SecretStore", "ClusterSecretStore"}
    ),
}

_MISSING = object()


def _values(node: Any, path: list[str]) -> list[Any]:
    """Every value at `path` below `node` (`_MISSING` where a step is absent)."""
    if not path:
        return [node]
    step, rest = path[0], path[1:]
    many = step.endswith("[]")
    key = step.removesuffix("[]")
    if not isinstance(node, dict) or key not in node:
        return [_MISSING]
    value = node[key]
    if not many:
        return _values(value, rest)
    if not isinstance(value, list) or not value:
        return [_MISSING]
    return [found for item in value for found in _values(item, rest)]


def _split(path: str) -> list[str]:
    # Label keys hold dots and a slash: `metadata.labels.strimzi.io/cluster`.
    if path.startswith("metadata.labels."):
        return ["metadata", "labels", path.removeprefix("metadata.labels.")]
    return path.split(".")


def problems(obj: Manifest) -> list[str]:
    """What is wrong with `obj` as one of the known custom resources; empty when nothing."""
    key = (obj.get("apiVersion"), obj.get("kind"))
    name = f"{key[1]}/{obj.get('metadata', {}).get('name')}"
    if key not in REQUIRED:
        return [f"{name}: unknown apiVersion/kind {key}"]
    found = [
        f"{name}: missing {path}"
        for path in REQUIRED[key]
        if any(v is _MISSING for v in _values(obj, _split(path)))
    ]
    if obj.get("spec") in (None, {}):
        found.append(f"{name}: empty spec")
    for (kind, path), allowed in ENUMS.items():
        if kind != key[1]:
            continue
        for value in _values(obj, _split(path)):
            if value is _MISSING:
                continue
            for item in value if isinstance(value, list) else [value]:
                if item not in allowed:
                    found.append(f"{name}: {path} = {item!r} is not one of {sorted(allowed)}")
    return found
