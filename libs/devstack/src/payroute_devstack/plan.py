"""Which ports and databases a stack uses: from the environment, or fresh per test session."""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from payroute_devstack.dsn import sqlalchemy_url
from payroute_devstack.errors import DevstackError
from payroute_devstack.ports import LOCAL_HOST, free_ports
from payroute_devstack.services import SERVICES, ServiceSpec


@dataclass(frozen=True)
class StackPlan:
    """Ports, database URLs and the databases the devstack itself must create."""

    services: tuple[ServiceSpec, ...]
    ports: Mapping[str, int]
    database_urls: Mapping[str, str]
    owned_databases: tuple[str, ...] = ()
    topic_prefix: str = ""
    host: str = field(default=LOCAL_HOST)

    def url(self, name: str) -> str:
        if name not in self.ports:
            raise DevstackError(f"no service {name!r} in this stack")
        return f"http://{self.host}:{self.ports[name]}"


def run_ports(environ: Mapping[str, str], services: tuple[ServiceSpec, ...]) -> dict[str, int]:
    """`<PREFIX>PORT` when set, else each service's default port."""
    ports = {}
    for spec in services:
        raw = environ.get(f"{spec.env_prefix}PORT") or str(spec.default_port)
        try:
            ports[spec.name] = int(raw)
        except ValueError:
            raise DevstackError(f"{spec.env_prefix}PORT={raw!r} is not a port number") from None
    return ports


def needs_postgres(environ: Mapping[str, str], services: tuple[ServiceSpec, ...]) -> bool:
    """True when some service has a database but no `<PREFIX>DATABASE_URL` of its own."""
    return any(s.database and not environ.get(f"{s.env_prefix}DATABASE_URL") for s in services)


def run_plan(
    environ: Mapping[str, str], postgres_dsn: str, services: tuple[ServiceSpec, ...] = SERVICES
) -> StackPlan:
    """The `make run` stack: contract ports and database names, env overrides honoured."""
    urls: dict[str, str] = {}
    owned: list[str] = []
    for spec in services:
        if spec.database is None:
            continue
        given = environ.get(f"{spec.env_prefix}DATABASE_URL")
        urls[spec.name] = given or sqlalchemy_url(postgres_dsn, spec.database)
        if not given:
            owned.append(spec.database)
    return StackPlan(
        services=services,
        ports=run_ports(environ, services),
        database_urls=urls,
        owned_databases=tuple(owned),
        topic_prefix=environ.get("TOPIC_PREFIX", ""),
    )


def session_plan(
    postgres_dsn: str, token: str | None = None, services: tuple[ServiceSpec, ...] = SERVICES
) -> StackPlan:
    """A test stack: free ports and database names unique to this session."""
    suffix = token or secrets.token_hex(4)
    names = {s.name: f"{s.database}_{suffix}" for s in services if s.database}
    return StackPlan(
        services=services,
        ports=dict(zip((s.name for s in services), free_ports(len(services)), strict=True)),
        database_urls={n: sqlalchemy_url(postgres_dsn, db) for n, db in names.items()},
        owned_databases=tuple(names.values()),
    )
