"""Which ports and databases a stack uses: from the environment, or fresh per test session."""

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from payroute_devstack.dsn import sqlalchemy_url
from payroute_devstack.errors import DevstackError
from payroute_devstack.ports import LOCAL_HOST, free_ports
from payroute_devstack.replicas import parse_replicas, replicas_from_env
from payroute_devstack.services import SERVICES, ServiceSpec, service


@dataclass(frozen=True)
class StackPlan:
    """Ports, database URLs and the databases the devstack itself must create.

    `ports` are the services' public ports. A service run as several replicas has
    one port per replica in `replica_ports`; for a load-balanced one (merchants
    and providers call it) all of them are extra and a proxy holds the public
    port, for the others replica 0 keeps the public port.
    """

    services: tuple[ServiceSpec, ...]
    ports: Mapping[str, int]
    database_urls: Mapping[str, str]
    owned_databases: tuple[str, ...] = ()
    topic_prefix: str = ""
    host: str = field(default=LOCAL_HOST)
    replica_ports: Mapping[str, tuple[int, ...]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        """The service's public address (its proxy when it has one)."""
        if name not in self.ports:
            raise DevstackError(f"no service {name!r} in this stack")
        return f"http://{self.host}:{self.ports[name]}"

    def replicas(self, name: str) -> int:
        self.url(name)
        return len(self.replica_ports.get(name, ())) or 1

    def replica_port(self, name: str, index: int) -> int:
        if not 0 <= index < self.replicas(name):
            raise DevstackError(f"{name} has no replica {index} in this stack")
        return self.replica_ports[name][index] if name in self.replica_ports else self.ports[name]

    def replica_url(self, name: str, index: int) -> str:
        """One replica's own address (its readiness probe, its /metrics)."""
        return f"http://{self.host}:{self.replica_port(name, index)}"

    def proxied(self, name: str) -> bool:
        """True when a proxy on the public port spreads connections over replicas."""
        return self.replicas(name) > 1 and service(name, self.services).load_balanced


def extra_ports(services: tuple[ServiceSpec, ...], counts: Mapping[str, int]) -> int:
    """How many ports the replicas need beyond the services' public ports."""
    return sum(
        (n if s.load_balanced else n - 1) for s in services if (n := counts.get(s.name, 1)) > 1
    )


def assign_replica_ports(
    services: tuple[ServiceSpec, ...],
    ports: Mapping[str, int],
    counts: Mapping[str, int],
    fresh: Iterator[int],
) -> dict[str, tuple[int, ...]]:
    assigned = {}
    for spec in services:
        count = counts.get(spec.name, 1)
        if count == 1:
            continue
        own = [] if spec.load_balanced else [ports[spec.name]]
        own += [next(fresh) for _ in range(count - len(own))]
        assigned[spec.name] = tuple(own)
    return assigned


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
    ports = run_ports(environ, services)
    counts = replicas_from_env(environ, services)
    fresh = iter(free_ports(extra_ports(services, counts)))
    return StackPlan(
        services=services,
        ports=ports,
        database_urls=urls,
        owned_databases=tuple(owned),
        topic_prefix=environ.get("TOPIC_PREFIX", ""),
        replica_ports=assign_replica_ports(services, ports, counts, fresh),
    )


def session_plan(
    postgres_dsn: str,
    token: str | None = None,
    services: tuple[ServiceSpec, ...] = SERVICES,
    replicas: Mapping[str, int] | str | None = None,
) -> StackPlan:
    """A test stack: free ports, database names and a topic prefix unique to it, so
    several stacks on one broker (the session's, scale-out's, tracing's) never read
    each other's messages nor share a consumer group.

    `replicas` as a mapping or in PAYROUTE_REPLICAS' form; None means one each.
    """
    suffix = token or secrets.token_hex(4)
    names = {s.name: f"{s.database}_{suffix}" for s in services if s.database}
    if replicas is not None and not isinstance(replicas, str):
        replicas = ",".join(f"{name}={count}" for name, count in replicas.items())
    counts = parse_replicas(replicas or "", services)
    fresh = iter(free_ports(len(services) + extra_ports(services, counts)))
    ports = {s.name: next(fresh) for s in services}
    return StackPlan(
        services=services,
        ports=ports,
        database_urls={n: sqlalchemy_url(postgres_dsn, db) for n, db in names.items()},
        owned_databases=tuple(names.values()),
        topic_prefix=f"t{suffix}.",
        replica_ports=assign_replica_ports(services, ports, counts, fresh),
    )
