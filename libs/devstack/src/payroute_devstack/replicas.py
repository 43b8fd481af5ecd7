"""How many processes run each service: `PAYROUTE_REPLICAS=orchestrator=2,gateway-api=2`.

Services scale out through Kafka consumer groups and their databases' locks, with
no code change; the devstack only has to start several processes, each on its
own port. Unlisted services run one process.
"""

from collections.abc import Mapping

from payroute_devstack.errors import DevstackError
from payroute_devstack.services import SERVICES, ServiceSpec

REPLICAS_VAR = "PAYROUTE_REPLICAS"
MAX_REPLICAS = 8  # a laptop's worth; more only adds rebalancing and memory


def parse_replicas(raw: str, services: tuple[ServiceSpec, ...] = SERVICES) -> dict[str, int]:
    """`name=count` pairs separated by commas (spaces allowed); counts from 1 to 8."""
    known = {s.name for s in services}
    counts: dict[str, int] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        name, sep, value = (text.strip() for text in item.partition("="))
        if not sep or name not in known:
            raise DevstackError(
                f"{REPLICAS_VAR}: {item!r} is not <service>=<count> with a service of "
                f"{', '.join(sorted(known))}"
            )
        if not value.isdigit() or not 1 <= int(value) <= MAX_REPLICAS:
            raise DevstackError(f"{REPLICAS_VAR}: {name} needs a count from 1 to {MAX_REPLICAS}")
        counts[name] = int(value)
    return counts


def replicas_from_env(
    environ: Mapping[str, str], services: tuple[ServiceSpec, ...] = SERVICES
) -> dict[str, int]:
    return parse_replicas(environ.get(REPLICAS_VAR, ""), services)


def replica_name(service: str, index: int) -> str:
    """The process name (log file, pid file): replica 0 keeps the service's own name."""
    return service if index == 0 else f"{service}.{index}"


def proxy_name(service: str) -> str:
    return f"{service}.proxy"
