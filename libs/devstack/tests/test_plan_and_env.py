"""Unit tests: DSNs, plans and the env every service gets (no I/O)."""

import json

import pytest

from payroute_devstack import dsn
from payroute_devstack.databases import unique_database_name
from payroute_devstack.env import stack_env
from payroute_devstack.errors import DevstackError
from payroute_devstack.plan import needs_postgres, run_plan, session_plan
from payroute_devstack.seed import _json_object
from payroute_devstack.services import SERVICES, service

BASE = "postgresql://postgres@127.0.0.1:5432"


def test_services_follow_the_contract_order_and_ports() -> None:
    assert [(s.name, s.default_port) for s in SERVICES] == [
        ("provider-simulator", 8100),
        ("gateway-api", 8000),
        ("webhook-ingest", 8001),
        ("reconciliation", 8002),
        ("orchestrator", 8003),
        ("provider-worker", 8004),
        ("metrics-exporter", 9101),
    ]
    assert service("gateway-api").database == "payroute_gateway_api"
    with pytest.raises(DevstackError, match="unknown service"):
        service("nope")


def test_dsn_forms() -> None:
    secret = "postgresql://app:pw@db.local:6543"
    assert dsn.sqlalchemy_url(BASE, "x") == "postgresql+asyncpg://postgres@127.0.0.1:5432/x"
    assert dsn.with_database(secret, "postgres") == "postgresql://app:pw@db.local:6543/postgres"
    assert dsn.host_port("postgresql://u@h") == ("h", 5432)
    assert dsn.user("postgresql://h:1") == "postgres"
    assert "pw" not in dsn.redacted(secret)
    with pytest.raises(ValueError, match="expected a DSN"):
        dsn.host_port("mysql://x@h/db")


def test_run_plan_uses_defaults_and_env_overrides() -> None:
    environ = {
        "GATEWAY_API_PORT": "18000",
        "ORCHESTRATOR_DATABASE_URL": "postgresql+asyncpg://o@elsewhere/orch",
        "TOPIC_PREFIX": "dev.",
    }
    plan = run_plan(environ, BASE)
    assert plan.ports["gateway-api"] == 18000
    assert plan.ports["metrics-exporter"] == 9101
    assert plan.url("gateway-api") == "http://127.0.0.1:18000"
    assert plan.database_urls["orchestrator"] == "postgresql+asyncpg://o@elsewhere/orch"
    assert plan.database_urls["gateway-api"].endswith("@127.0.0.1:5432/payroute_gateway_api")
    assert "payroute_orchestrator" not in plan.owned_databases
    assert len(plan.owned_databases) == 5
    assert "provider-simulator" not in plan.database_urls
    assert plan.topic_prefix == "dev."
    with pytest.raises(DevstackError, match="not a port number"):
        run_plan({"GATEWAY_API_PORT": "http"}, BASE)


def test_postgres_is_needed_unless_every_database_is_given() -> None:
    assert needs_postgres({}, SERVICES)
    given = {f"{s.env_prefix}DATABASE_URL": "postgresql+asyncpg://x/y" for s in SERVICES}
    assert not needs_postgres(given, SERVICES)


def test_session_plans_are_unique() -> None:
    one, two = session_plan(BASE), session_plan(BASE)
    assert set(one.owned_databases).isdisjoint(two.owned_databases)
    assert len(set(one.ports.values())) == len(SERVICES)
    assert one.topic_prefix != two.topic_prefix  # stacks on one broker keep apart
    assert one.topic_prefix.endswith(".")
    assert all(url.startswith("postgresql+asyncpg://") for url in one.database_urls.values())


def test_every_service_gets_the_same_env_with_generated_secrets() -> None:
    plan = session_plan(BASE)
    env = stack_env(plan, "127.0.0.1:1", base={"PATH": "/bin"}, provider_overrides={})
    simulator = plan.url("provider-simulator")
    assert env["STRIPE_API_BASE"] == env["PAYMONGO_API_BASE"] == env["XENDIT_API_BASE"] == simulator
    assert env["PROVIDER_SIMULATOR_WEBHOOK_BASE_URL"] == f"{plan.url('webhook-ingest')}/webhooks"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:1"
    assert env["TOPIC_PREFIX"] == plan.topic_prefix
    assert env["GATEWAY_API_DATABASE_URL"] == plan.database_urls["gateway-api"]
    assert env["METRICS_EXPORTER_PORT"] == str(plan.ports["metrics-exporter"])
    assert env["PATH"] == "/bin"
    assert env["STRIPE_WEBHOOK_SECRET"].startswith("whsec_")
    assert len(env["XENDIT_CALLBACK_TOKEN"]) >= 32
    assert env["WEBHOOK_INGEST_MAYA_WEBHOOKS"] == "true"
    assert json.loads(env["WEBHOOK_INGEST_ALLOWED_SOURCES"]) == {"maya": [plan.host]}
    again = stack_env(plan, "127.0.0.1:1", base={}, provider_overrides={})
    assert again["STRIPE_API_KEY"] != env["STRIPE_API_KEY"]


def test_given_provider_values_are_kept() -> None:
    plan = session_plan(BASE)
    given = {"STRIPE_API_KEY": "sk_test_given", "XENDIT_API_BASE": "https://x.example"}
    env = stack_env(plan, "b:1", base={}, provider_overrides=given)
    assert env["STRIPE_API_KEY"] == "sk_test_given"
    assert env["XENDIT_API_BASE"] == "https://x.example"


def test_unique_database_names_are_valid_identifiers() -> None:
    name = unique_database_name("Orders-Store")
    assert name.startswith("orders_store_")
    assert name != unique_database_name("Orders-Store")


def test_cli_json_is_found_in_the_output() -> None:
    assert _json_object('{"id": "m_1", "api_key": "k"}\n') == {"id": "m_1", "api_key": "k"}
    assert _json_object('migrating...\n{"api_key": "k"}\n')["api_key"] == "k"
    with pytest.raises(DevstackError, match="no JSON object"):
        _json_object("nothing here")
