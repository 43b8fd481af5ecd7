"""What `run` prints once the stack is up (keys on stdout, one line each)."""

from pathlib import Path

from payroute_devstack import dsn
from payroute_devstack.paths import logs_dir
from payroute_devstack.stack import Stack


def summary_lines(stack: Stack, run_dir: Path) -> list[str]:
    lines = [
        f"PAYROUTE_API_KEY={stack.api_key}",
        f"PAYROUTE_OPERATOR_KEY={stack.operator_key}",
        f"PAYROUTE_ADMIN_KEY={stack.admin_key}",
    ]
    width = max(len(name) for name in stack.processes)
    for spec in stack.plan.services:
        lines.append(f"  {spec.name:<{width}}  {stack.url(spec.name)}{spec.home_path}")
    infra = stack.infra
    started = " (started here)" if infra.broker is not None else ""
    lines.append(f"  {'broker':<{width}}  {infra.bootstrap_servers}{started}")
    host, port = dsn.host_port(infra.postgres_dsn)
    embedded = " (embedded, started here)" if infra.postgres is not None else ""
    lines.append(f"  {'postgres':<{width}}  {host}:{port}{embedded}")
    lines.append(f"logs: {logs_dir(run_dir)}/<name>.log")
    lines.append("Ctrl-C here, or `make stop` from another shell, stops the stack.")
    return lines


def print_summary(stack: Stack, run_dir: Path) -> None:
    print("\n".join(summary_lines(stack, run_dir)), flush=True)
