"""The environment every service process gets (the same for all of them)."""

import json
import secrets
from collections.abc import Mapping

from payroute_devstack.plan import StackPlan

# Generated when unset; never printed. Prefixes only make the values look familiar.
_SECRET_PREFIXES = {
    "STRIPE_API_KEY": "sk_test_",
    "STRIPE_WEBHOOK_SECRET": "whsec_",
    "PAYMONGO_SECRET_KEY": "sk_test_",
    "PAYMONGO_WEBHOOK_SECRET": "whsk_",
    "XENDIT_SECRET_KEY": "xnd_development_",
    "XENDIT_CALLBACK_TOKEN": "",
    "MAYA_PUBLIC_KEY": "pk-",
    "MAYA_SECRET_KEY": "sk-",
}
_API_BASES = ("STRIPE_API_BASE", "PAYMONGO_API_BASE", "XENDIT_API_BASE", "MAYA_API_BASE")
SIMULATOR = "provider-simulator"
WEBHOOK_INGEST = "webhook-ingest"


def provider_settings(simulator_url: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """Provider keys and API bases: from overrides when set, else dev values."""
    values = {
        var: overrides.get(var) or f"{prefix}{secrets.token_hex(24)}"
        for var, prefix in _SECRET_PREFIXES.items()
    }
    values.update({var: overrides.get(var) or simulator_url for var in _API_BASES})
    return values


def stack_env(
    plan: StackPlan,
    bootstrap_servers: str,
    *,
    base: Mapping[str, str],
    provider_overrides: Mapping[str, str],
) -> dict[str, str]:
    env = dict(base)
    env["PYTHONUNBUFFERED"] = "1"
    env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap_servers
    env["TOPIC_PREFIX"] = plan.topic_prefix
    for spec in plan.services:
        env[f"{spec.env_prefix}HOST"] = plan.host
        env[f"{spec.env_prefix}PORT"] = str(plan.ports[spec.name])
        if spec.name in plan.database_urls:
            env[f"{spec.env_prefix}DATABASE_URL"] = plan.database_urls[spec.name]
    if SIMULATOR in plan.ports:
        env.update(provider_settings(plan.url(SIMULATOR), provider_overrides))
    if "provider-worker" in plan.ports:
        # gateway-api's /health/payments shows what provider-worker's /health says.
        env["GATEWAY_API_PROVIDER_WORKER_URL"] = plan.url("provider-worker")
    if WEBHOOK_INGEST in plan.ports:
        env["PROVIDER_SIMULATOR_WEBHOOK_BASE_URL"] = f"{plan.url(WEBHOOK_INGEST)}/webhooks"
        if SIMULATOR in plan.ports:
            env.update(_simulated_maya_webhooks(plan, base))
    return env


def _simulated_maya_webhooks(plan: StackPlan, base: Mapping[str, str]) -> dict[str, str]:
    """Maya's webhooks are unsigned: webhook-ingest takes them only from the addresses
    it is given, here the simulator's own host. Kept as given when set."""
    if "WEBHOOK_INGEST_MAYA_WEBHOOKS" in base:
        return {}
    return {
        "WEBHOOK_INGEST_MAYA_WEBHOOKS": "true",
        "WEBHOOK_INGEST_ALLOWED_SOURCES": json.dumps({"maya": [plan.host]}),
    }
