"""CPU per payment for every process a bench run drives, and Payroute's own share.

The processes are whatever the devstack started: each service replica
(`orchestrator.1`), the proxies in front of replicated services
(`gateway-api.proxy`), the provider simulator, the broker and an embedded
Postgres when the stack started them (not one it found running), plus the
load generator. Payroute's own share sums its six services and their
replicas only: not the simulator, proxies, broker, Postgres or load generator.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from payroute_devstack.stack import Stack

PAYROUTE_SERVICES = frozenset(
    {
        "gateway-api",
        "orchestrator",
        "provider-worker",
        "webhook-ingest",
        "reconciliation",
        "metrics-exporter",
    }
)
LOAD_GENERATOR = "load-generator"
ROW = "  {:<22} {:>8} {:>11}"


def stack_pids(stack: Stack) -> dict[str, int]:
    """Every running process of the stack and its infrastructure, by name, in start order."""
    processes = [stack.infra.broker, stack.infra.postgres, *stack.processes.values()]
    return {
        process.name: process.pid
        for process in processes
        if process is not None and process.pid is not None and process.is_running()
    }


def payroute_processes(stack: Stack) -> frozenset[str]:
    """The names of Payroute's own service processes, every replica included."""
    return frozenset(
        process.name
        for service, replicas in stack.replica_sets.items()
        if service in PAYROUTE_SERVICES
        for process in replicas
    )


def ms_per_payment(cpu_s: Mapping[str, float], payments: int) -> dict[str, float]:
    return {name: round(seconds * 1000 / payments, 2) for name, seconds in cpu_s.items()}


def payroute_ms_per_payment(
    cpu_s: Mapping[str, float], payments: int, payroute: Collection[str]
) -> float:
    return round(sum(cpu_s[n] for n in payroute if n in cpu_s) * 1000 / payments, 2)


def cpu_table(cpu_s: Mapping[str, float], payments: int, payroute: Collection[str]) -> str:
    """One row per process (Payroute's marked *), then Payroute's sum and everything's."""
    per_payment = ms_per_payment(cpu_s, payments)
    rows = [
        f"CPU over the measured {payments} payments:",
        ROW.format("process", "CPU s", "ms/payment"),
    ]
    for name, seconds in cpu_s.items():
        label = f"{name} *" if name in payroute else name
        rows.append(ROW.format(label, f"{seconds:.2f}", f"{per_payment[name]:.2f}"))
    own = sum(cpu_s[n] for n in payroute if n in cpu_s)
    own_ms = payroute_ms_per_payment(cpu_s, payments, payroute)
    every = sum(cpu_s.values())
    rows.append(ROW.format("* Payroute services", f"{own:.2f}", f"{own_ms:.2f}"))
    rows.append(ROW.format("all processes", f"{every:.2f}", f"{every * 1000 / payments:.2f}"))
    return "\n".join(rows)
