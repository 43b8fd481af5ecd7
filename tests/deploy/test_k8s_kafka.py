"""Kafka on Kubernetes: Strimzi's v1 API, KRaft node pools, TLS with SCRAM users whose
ACLs are exactly what each service's code does, and a KafkaTopic for every topic."""

from __future__ import annotations

import pytest

from payroute_common.topics import ALL_TOPICS, CONSUMER_GROUPS, dead_letter_topic

from .k8s_code import kafka_use
from .k8s_render import env_of, main_container, objects, render
from .project import BY_NAME, DEPLOYED

STRIMZI_API = "kafka.strimzi.io/v1"
TARGETS = ("base", "dev", "prod")
PARTITIONED_LABEL = "payroute.io/partitioned"
CA_SECRET = "payroute-cluster-ca-cert"


def acl_set(user: dict) -> set[tuple[str, str, str, str]]:
    return {
        (a["resource"]["type"], a["resource"]["name"], a["resource"].get("patternType"), op)
        for a in user["spec"]["authorization"]["acls"]
        for op in a["operations"]
    }


def cluster_size(target: str) -> int:
    pools = objects(target, "KafkaNodePool").values()
    return sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])


@pytest.mark.parametrize("target", TARGETS)
def test_strimzi_objects_use_the_v1_api(target: str) -> None:
    strimzi = [o for o in render(target) if o["apiVersion"].startswith("kafka.strimzi.io/")]
    assert {o["kind"] for o in strimzi} == {"Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser"}
    assert {o["apiVersion"] for o in strimzi} == {STRIMZI_API}


@pytest.mark.parametrize("target", TARGETS)
def test_kraft_cluster_with_tls_scram_and_acls(target: str) -> None:
    (name, kafka), *others = objects(target, "Kafka").items()
    assert not others
    spec = kafka["spec"]
    pools = objects(target, "KafkaNodePool").values()
    assert {r for p in pools for r in p["spec"]["roles"]} == {"controller", "broker"}
    for pool in pools:
        assert pool["metadata"]["labels"]["strimzi.io/cluster"] == name
    assert spec["kafka"]["authorization"] == {"type": "simple"}
    assert set(spec["entityOperator"]) == {"topicOperator", "userOperator"}
    (listener,) = spec["kafka"]["listeners"]
    assert listener["tls"] is True
    assert listener["authentication"] == {"type": "scram-sha-512"}
    config = objects(target, "ConfigMap")["payroute-config"]["data"]
    assert config["KAFKA_BOOTSTRAP_SERVERS"] == f"{name}-kafka-bootstrap:{listener['port']}"
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    settings = spec["kafka"]["config"]
    assert settings["auto.create.topics.enable"] is False
    assert settings["default.replication.factor"] <= cluster_size(target)
    assert settings["offsets.topic.replication.factor"] <= cluster_size(target)
    assert settings["min.insync.replicas"] < max(settings["default.replication.factor"], 2)


@pytest.mark.parametrize("target", TARGETS)
def test_a_kafka_topic_for_every_registered_topic(target: str) -> None:
    topics = objects(target, "KafkaTopic").values()
    registry = {spec.name: spec for spec in ALL_TOPICS}
    by_name = {t["spec"]["topicName"]: t for t in topics}
    assert len(by_name) == len(topics)
    assert set(by_name) == set(registry)
    assert set(registry) >= {dead_letter_topic(g).name for g in CONSUMER_GROUPS}
    for name, topic in by_name.items():
        spec = registry[name]
        config = topic["spec"]["config"]
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "payroute"
        partitioned = topic["metadata"]["labels"].get(PARTITIONED_LABEL) == "true"
        assert partitioned == (spec.partitions > 1), name
        assert topic["spec"]["partitions"] >= spec.partitions
        assert 0 < config["retention.ms"] <= spec.retention_ms
        replicas = topic["spec"]["replicas"]
        assert 1 <= replicas <= cluster_size(target)
        assert config.get("min.insync.replicas", 1) <= max(replicas - 1, 1)
    assert by_name["access.keys"]["spec"]["config"]["cleanup.policy"] == "compact"


def test_prod_is_bigger_and_dev_keeps_less() -> None:
    def topic(target: str, name: str) -> dict:
        found = {t["spec"]["topicName"]: t["spec"] for t in objects(target, "KafkaTopic").values()}
        return found[name]

    assert cluster_size("prod") == 3 > cluster_size("dev")
    assert (
        topic("prod", "payment.events")["partitions"] > topic("dev", "payment.events")["partitions"]
    )
    assert topic("prod", "payment.events")["replicas"] == 3
    retention = {t: topic(t, "payment.events")["config"]["retention.ms"] for t in ("dev", "prod")}
    assert retention["dev"] < retention["prod"]


@pytest.mark.parametrize("name", [s.name for s in DEPLOYED])
def test_each_service_has_a_user_allowed_exactly_what_its_code_does(name: str) -> None:
    use = kafka_use(BY_NAME[name])
    expected = {("topic", t, "literal", "Read") for t in use.consumes}
    expected |= {("topic", t, "literal", "Write") for t in use.produces}
    if use.group is not None:
        assert use.group in CONSUMER_GROUPS
        expected |= {("group", use.group, "literal", "Read")}
        expected |= {("topic", use.dead_letter_topic, "literal", "Write")}
    for target in TARGETS:
        user = objects(target, "KafkaUser")[name]
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert acl_set(user) == expected


def test_the_operator_user_reads_dead_letters_and_replays_them() -> None:
    user = objects("prod", "KafkaUser")["payroute-operator"]
    uses = [kafka_use(s) for s in DEPLOYED]
    groups = {u.group for u in uses if u.group}
    assert acl_set(user) == (
        {("topic", dead_letter_topic(g).name, "literal", "Read") for g in groups}
        | {("topic", t, "literal", "Write") for u in uses for t in u.consumes}
        | {("group", "payroute-dlq-replay.", "prefix", "Read")}
    )
    assert set(objects("prod", "KafkaUser")) == {s.name for s in DEPLOYED} | {"payroute-operator"}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", [s.name for s in DEPLOYED])
def test_services_take_credentials_from_strimzis_secrets(target: str, name: str) -> None:
    deployment = objects(target, "Deployment")[name]
    main = main_container(deployment)
    env = env_of(main)
    assert env["KAFKA_SASL_USERNAME"]["value"] == name
    assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": name,
        "key": "password",
    }
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    mounts = {m["name"]: m["mountPath"] for m in main["volumeMounts"]}
    ca = next(n for n, v in volumes.items() if v.get("secret", {}).get("secretName") == CA_SECRET)
    cafile = objects(target, "ConfigMap")["payroute-config"]["data"]["KAFKA_SSL_CAFILE"]
    assert cafile == f"{mounts[ca]}/ca.crt"
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    (kafka,) = objects(target, "Kafka").values()
    peers = kafka["spec"]["kafka"]["listeners"][0]["networkPolicyPeers"]
    assert any(
        p.get("podSelector", {}).get("matchLabels", {}).items() <= pod_labels.items()
        for p in peers
        if "podSelector" in p
    )
