"""Unit tests: PAYROUTE_REPLICAS, the ports replicas get, and what the stack runs (no I/O)."""

import pytest

from payroute_devstack.errors import DevstackError
from payroute_devstack.launch import proxy_process, service_process
from payroute_devstack.plan import run_plan, session_plan
from payroute_devstack.replicas import parse_replicas
from payroute_devstack.services import SERVICES, service

BASE = "postgresql://postgres@127.0.0.1:5432"
SCALED = "orchestrator=2, provider-worker=2,gateway-api=2,webhook-ingest=3"


def test_replicas_are_parsed_and_checked() -> None:
    assert parse_replicas("") == {}
    assert parse_replicas(SCALED) == {
        "orchestrator": 2,
        "provider-worker": 2,
        "gateway-api": 2,
        "webhook-ingest": 3,
    }
    with pytest.raises(DevstackError, match="not <service>=<count>"):
        parse_replicas("orchestrator")
    with pytest.raises(DevstackError, match="not <service>=<count>"):
        parse_replicas("billing=2")
    with pytest.raises(DevstackError, match="count from 1 to 8"):
        parse_replicas("orchestrator=0")
    with pytest.raises(DevstackError, match="count from 1 to 8"):
        parse_replicas("orchestrator=two")


def test_one_replica_is_the_plain_stack() -> None:
    plan = run_plan({}, BASE)
    assert plan.replica_ports == {}
    assert all(plan.replicas(s.name) == 1 for s in SERVICES)
    assert plan.replica_port("orchestrator", 0) == 8003
    assert not plan.proxied("gateway-api")
    with pytest.raises(DevstackError, match="no replica 1"):
        plan.replica_port("orchestrator", 1)


def test_run_plan_gives_each_replica_its_own_port() -> None:
    plan = run_plan({"PAYROUTE_REPLICAS": SCALED}, BASE)
    # A worker's replica 0 keeps the contract port; the others get free ones.
    assert plan.replica_ports["orchestrator"][0] == 8003
    assert plan.replicas("orchestrator") == 2
    assert not plan.proxied("orchestrator")
    # gateway-api and webhook-ingest keep one address: a proxy holds 8000/8001.
    assert plan.url("gateway-api") == "http://127.0.0.1:8000"
    assert plan.proxied("gateway-api")
    assert 8000 not in plan.replica_ports["gateway-api"]
    assert plan.replicas("webhook-ingest") == 3
    every = [p for ports in plan.replica_ports.values() for p in ports] + list(plan.ports.values())
    assert len(every) == len(set(every)) + 2  # orchestrator's and the worker's replica 0
    with pytest.raises(DevstackError, match="PAYROUTE_REPLICAS"):
        run_plan({"PAYROUTE_REPLICAS": "nope=2"}, BASE)


def test_session_plan_takes_replicas_as_a_mapping_or_text() -> None:
    as_text = session_plan(BASE, replicas=SCALED)
    as_mapping = session_plan(BASE, replicas={"gateway-api": 2})
    assert as_text.replicas("webhook-ingest") == 3
    assert as_mapping.replicas("gateway-api") == 2
    assert as_mapping.replicas("orchestrator") == 1
    ports = [*as_text.ports.values(), *(p for ps in as_text.replica_ports.values() for p in ps)]
    assert len(set(ports)) == len(ports) - 2


def test_each_replica_listens_on_its_own_port_and_the_proxy_on_the_public_one() -> None:
    plan = session_plan(BASE, replicas={"gateway-api": 2})
    spec = service("gateway-api")
    env = {"GATEWAY_API_PORT": str(plan.ports["gateway-api"])}
    first, second = (service_process(spec, plan, env, i) for i in range(2))
    assert (first.name, second.name) == ("gateway-api", "gateway-api.1")
    assert first.env is not None
    assert second.env is not None
    assert first.env["GATEWAY_API_PORT"] == str(plan.replica_port("gateway-api", 0))
    assert second.env["GATEWAY_API_PORT"] == str(plan.replica_port("gateway-api", 1))
    proxy = proxy_process(spec, plan, env)
    assert proxy.name == "gateway-api.proxy"
    assert f"--listen=127.0.0.1:{plan.ports['gateway-api']}" in proxy.argv
    assert [a for a in proxy.argv if a.startswith("--to=")] == [
        f"--to=127.0.0.1:{plan.replica_port('gateway-api', i)}" for i in range(2)
    ]
