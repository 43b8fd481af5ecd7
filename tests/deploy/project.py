"""What the deployment files must agree with: the services' own settings and the README."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_DIR = ROOT / "deploy" / "compose"
K8S_DIR = ROOT / "deploy" / "k8s"

# Environment variables whose values are secrets wherever they appear.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$|DATABASE_URL")

# service name (README, compose, Kubernetes) -> module run by `python -m`
MODULES = {
    "gateway-api": "gateway_api",
    "webhook-ingest": "webhook_ingest",
    "reconciliation": "reconciliation",
    "orchestrator": "orchestrator",
    "provider-worker": "provider_worker",
    "metrics-exporter": "metrics_exporter",
    "provider-simulator": "provider_simulator",
}
DEV_ONLY = {"provider-simulator"}
# The services that take HTTP from outside the cluster.
HTTP_EDGES = {"gateway-api", "webhook-ingest"}


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    env_prefix: str
    port: int

    @property
    def has_database(self) -> bool:
        return self.name not in DEV_ONLY


def _settings_class(module: str) -> type:
    return importlib.import_module(f"{module}.config").Settings


def settings_default(service: Service, field: str) -> Any:
    """The default a service's Settings gives one field."""
    return _settings_class(service.module).model_fields[field].default


def _service(name: str, module: str) -> Service:
    settings = _settings_class(module)
    return Service(
        name=name,
        module=module,
        env_prefix=settings.model_config["env_prefix"],
        port=settings.model_fields["port"].default,
    )


SERVICES: tuple[Service, ...] = tuple(_service(n, m) for n, m in MODULES.items())
BY_NAME = {s.name: s for s in SERVICES}
DEPLOYED = tuple(s for s in SERVICES if s.name not in DEV_ONLY)


def readme_ports() -> dict[str, tuple[int, str]]:
    """`| gateway-api | 8000 | `GATEWAY_API_PORT` |` rows of the README's port table."""
    row = re.compile(r"^\|\s*([a-z-]+)\s*\|\s*(\d+)\s*\|\s*`([A-Z_]+)`\s*\|\s*$")
    rows = (row.match(line) for line in (ROOT / "README.md").read_text().splitlines())
    return {m[1]: (int(m[2]), m[3]) for m in rows if m and m[1] in MODULES}
