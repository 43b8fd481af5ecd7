"""Network policies (default deny, then only the architecture's flows) and the Ingress in
front of the two HTTP edges."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

import pytest
from pydantic import TypeAdapter

from webhook_ingest import config as webhook_settings

from .k8s_render import TARGETS, env_of, main_container, objects, selects
from .project import BY_NAME, DEPLOYED, HTTP_EDGES, settings_default

MONITORING_NS = "monitoring"


# --- Network ----------------------------------------------------------------------------


def _policies_for(target: str, labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        p["spec"]
        for p in objects(target, "NetworkPolicy").values()
        if selects(p["spec"]["podSelector"], labels)
    ]


def _egress_ports(specs: list[dict[str, Any]]) -> set[Any]:
    return {
        port["port"]
        for s in specs
        for rule in s.get("egress", [])
        for port in rule.get("ports", [])
    }


@pytest.mark.parametrize("target", TARGETS)
def test_default_deny_then_only_the_architectures_flows(target: str) -> None:
    policies = objects(target, "NetworkPolicy")
    assert policies["default-deny"]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    open_egress = [n for n, p in policies.items() if {} in p["spec"].get("egress", [])]
    assert sorted(open_egress) == ["kafka-cluster-egress", "postgres-cluster"]
    for service in DEPLOYED:
        labels = objects(target, "Deployment")[service.name]["spec"]["template"]["metadata"][
            "labels"
        ]
        specs = _policies_for(target, labels)
        ports = _egress_ports(specs)
        assert {53, 9093, 5432, 4318} <= ports, service.name
        internet = [
            rule
            for s in specs
            for rule in s.get("egress", [])
            for peer in rule.get("to", [])
            if "ipBlock" in peer
        ]
        if service.name == "provider-worker":
            (rule,) = internet
            assert [p["port"] for p in rule["ports"]] == [443]
            assert "10.0.0.0/8" in rule["to"][0]["ipBlock"]["except"]
        else:
            assert not internet, service.name
        from_ingress = any(
            peer.get("namespaceSelector", {}).get("matchLabels")
            == {"kubernetes.io/metadata.name": "ingress-nginx"}
            for s in specs
            for rule in s.get("ingress", [])
            for peer in rule.get("from", [])
        )
        assert from_ingress == (service.name in HTTP_EDGES), service.name


@pytest.mark.parametrize("target", TARGETS)
def test_prometheus_may_scrape_what_each_service_monitor_names(target: str) -> None:
    for name, monitor in objects(target, "ServiceMonitor").items():
        service = objects(target, "Service")[name]
        deployment = objects(target, "Deployment")[name]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        (endpoint,) = monitor["spec"]["endpoints"]
        port = next(p for p in service["spec"]["ports"] if p["name"] == endpoint["port"])
        allowed = {
            rule_port["port"]
            for s in _policies_for(target, labels)
            for rule in s.get("ingress", [])
            if any(
                peer.get("namespaceSelector", {})
                .get("matchLabels", {})
                .get("kubernetes.io/metadata.name")
                == MONITORING_NS
                for peer in rule.get("from", [])
            )
            for rule_port in rule.get("ports", [])
        }
        assert port["targetPort"] in allowed or port["port"] in allowed, name


# --- Ingress ----------------------------------------------------------------------------


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([km]?)", size.lower()).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit]


@pytest.mark.parametrize("target", ["base", "prod"])
def test_ingress_with_tls_and_the_services_body_limits(target: str) -> None:
    ingresses = objects(target, "Ingress")
    assert set(ingresses) == HTTP_EDGES
    limits = {
        "gateway-api": settings_default(BY_NAME["gateway-api"], "max_request_body_bytes"),
        "webhook-ingest": settings_default(BY_NAME["webhook-ingest"], "max_body_bytes"),
    }
    for name, ingress in ingresses.items():
        spec = ingress["spec"]
        hosts = {r["host"] for r in spec["rules"]}
        assert hosts <= {h for t in spec["tls"] for h in t["hosts"]}
        backends = {
            p["backend"]["service"]["name"] for r in spec["rules"] for p in r["http"]["paths"]
        }
        assert backends == {name}
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"
        assert _bytes(annotations["nginx.ingress.kubernetes.io/proxy-body-size"]) == limits[name]


@pytest.mark.parametrize("target", ["base", "prod"])
def test_webhook_ingest_trusts_only_the_ingress_controllers_forwarded_address(target: str) -> None:
    env = env_of(main_container(objects(target, "Deployment")["webhook-ingest"]))
    assert env["WEBHOOK_INGEST_FORWARDED_HEADER"]["value"] == "x-forwarded-for"
    ref = env["WEBHOOK_INGEST_TRUSTED_PROXIES"]["valueFrom"]["configMapKeyRef"]
    cidrs = json.loads(objects(target, "ConfigMap")[ref["name"]]["data"][ref["key"]])
    networks = [ipaddress.ip_network(c) for c in cidrs]
    assert networks
    assert all(n.prefixlen > 0 for n in networks), "never everyone"
    assert all(n.is_private for n in networks), "the controller's pods, not the internet"
    # The service's own parser takes the value.
    field = webhook_settings.Settings.model_fields["trusted_proxies"]
    assert TypeAdapter(field.annotation).validate_json(json.dumps(cidrs)) == networks
