"""The seven Payroute processes, in start order (fixed contract)."""

from dataclasses import dataclass

from payroute_devstack.errors import DevstackError


@dataclass(frozen=True)
class ServiceSpec:
    """One process: `python -m <module>`, configured by `<env_prefix>*` variables."""

    name: str
    module: str
    env_prefix: str
    default_port: int
    database: str | None
    home_path: str = ""
    # Called from outside (merchants, providers) at one address: with several
    # replicas, a proxy on the service's port spreads connections over them.
    load_balanced: bool = False


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("provider-simulator", "provider_simulator", "PROVIDER_SIMULATOR_", 8100, None),
    ServiceSpec(
        "gateway-api",
        "gateway_api",
        "GATEWAY_API_",
        8000,
        "payroute_gateway_api",
        "/docs",
        load_balanced=True,
    ),
    ServiceSpec(
        "webhook-ingest",
        "webhook_ingest",
        "WEBHOOK_INGEST_",
        8001,
        "payroute_webhook_ingest",
        "/webhooks",
        load_balanced=True,
    ),
    ServiceSpec(
        "reconciliation", "reconciliation", "RECONCILIATION_", 8002, "payroute_reconciliation"
    ),
    ServiceSpec("orchestrator", "orchestrator", "ORCHESTRATOR_", 8003, "payroute_orchestrator"),
    ServiceSpec(
        "provider-worker", "provider_worker", "PROVIDER_WORKER_", 8004, "payroute_provider_worker"
    ),
    ServiceSpec(
        "metrics-exporter",
        "metrics_exporter",
        "METRICS_EXPORTER_",
        9101,
        "payroute_metrics_exporter",
        "/metrics",
    ),
)


def service(name: str, services: tuple[ServiceSpec, ...] = SERVICES) -> ServiceSpec:
    for spec in services:
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in services)
    raise DevstackError(f"unknown service {name!r}; known: {known}")
