"""What the stack runs for one service: its replicas, and a proxy in front when it has one."""

import sys
from collections.abc import Mapping

from payroute_devstack.paths import repo_root
from payroute_devstack.plan import StackPlan
from payroute_devstack.ports import port_is_open
from payroute_devstack.probes import http_ok
from payroute_devstack.process import Probe, ProcessSpec
from payroute_devstack.replicas import proxy_name, replica_name
from payroute_devstack.services import ServiceSpec

READY_PATH = "/health/ready"


def service_process(
    spec: ServiceSpec, plan: StackPlan, env: Mapping[str, str], replica: int = 0
) -> ProcessSpec:
    """`python -m <module>` on the replica's own port; ready when /health/ready says so."""
    own_env = dict(env)
    own_env[f"{spec.env_prefix}PORT"] = str(plan.replica_port(spec.name, replica))
    return ProcessSpec(
        name=replica_name(spec.name, replica),
        argv=(sys.executable, "-m", spec.module),
        probe=http_ok(f"{plan.replica_url(spec.name, replica)}{READY_PATH}"),
        env=own_env,
        cwd=repo_root(),
    )


def listening(host: str, port: int) -> Probe:
    async def probe() -> bool:
        return port_is_open(host, port)

    return probe


def proxy_process(spec: ServiceSpec, plan: StackPlan, env: Mapping[str, str]) -> ProcessSpec:
    """The round-robin proxy on the service's public port (see payroute_devstack.proxy)."""
    upstreams = [
        f"--to={plan.host}:{plan.replica_port(spec.name, i)}"
        for i in range(plan.replicas(spec.name))
    ]
    listen = f"--listen={plan.host}:{plan.ports[spec.name]}"
    return ProcessSpec(
        name=proxy_name(spec.name),
        argv=(sys.executable, "-m", "payroute_devstack.proxy", listen, *upstreams),
        probe=listening(plan.host, plan.ports[spec.name]),
        env=env,
        cwd=repo_root(),
    )
