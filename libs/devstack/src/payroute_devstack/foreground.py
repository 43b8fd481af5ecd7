"""`python -m payroute_devstack run`: the whole stack in the foreground until Ctrl-C."""

import asyncio
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from payroute_devstack import pidfiles
from payroute_devstack.broker_rotation import start_rotating
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN
from payroute_devstack.errors import DevstackError
from payroute_devstack.infra import Infra, start_infra
from payroute_devstack.paths import logs_dir, pids_dir
from payroute_devstack.plan import needs_postgres, run_plan, run_ports
from payroute_devstack.ports import ensure_ports_free
from payroute_devstack.seed import Seeder, seed_demo_merchant
from payroute_devstack.services import SERVICES, ServiceSpec
from payroute_devstack.stack import Stack, start_stack
from payroute_devstack.stopper import RUNNER
from payroute_devstack.summary import print_summary

DEFAULT_BROKER_PORT = 9092


def say(message: str) -> None:
    print(f"payroute-dev: {message}", file=sys.stderr, flush=True)


def claim_run_dir(run_dir: Path) -> None:
    """Refuse when a stack already runs from run_dir; else record this runner."""
    pid_dir = pids_dir(run_dir)
    logs_dir(run_dir).mkdir(parents=True, exist_ok=True)
    records = pidfiles.read_records(pid_dir)
    live = [f"{r.name} (pid {r.pid})" for r in records if pidfiles.is_alive(r)]
    if live:
        raise DevstackError(
            f"a stack already runs from {run_dir}: {', '.join(live)}; stop it with `make stop`"
        )
    for record in records:
        pidfiles.remove_record(pid_dir, record.name)
    runner = pidfiles.PidRecord(RUNNER, os.getpid(), tuple(sys.orig_argv), signal.SIGTERM)
    pidfiles.write_record(pid_dir, runner)


def broker_port(environ: Mapping[str, str]) -> int:
    raw = environ.get("PAYROUTE_BROKER_PORT") or str(DEFAULT_BROKER_PORT)
    try:
        return int(raw)
    except ValueError:
        raise DevstackError(f"PAYROUTE_BROKER_PORT={raw!r} is not a port number") from None


async def watch(stack: Stack) -> None:
    """Run until cancelled, reporting any service that exits on its own."""
    reported: set[str] = set()
    while True:
        for name, process in stack.processes.items():
            code = process.returncode
            if code is not None and name not in reported:
                reported.add(name)
                say(f"{name} exited with code {code}; last lines of its log:\n{process.log_tail()}")
        await asyncio.sleep(1.0)


async def start_all(
    run_dir: Path, environ: Mapping[str, str], services: tuple[ServiceSpec, ...], seeder: Seeder
) -> tuple[Infra, Stack]:
    ensure_ports_free(run_ports(environ, services))
    say("starting the broker and Postgres")
    infra = await start_infra(
        run_dir,
        postgres_dsn=environ.get("PAYROUTE_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN,
        bootstrap_servers=environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        broker_port=broker_port(environ),
        need_postgres=needs_postgres(environ, services),
    )
    try:
        say(f"starting {len(services)} services (logs in {logs_dir(run_dir)})")
        plan = run_plan(environ, infra.postgres_dsn, services)
        stack = await start_stack(
            plan, infra, run_dir, provider_overrides=environ, base_env=environ, seeder=seeder
        )
    except BaseException:
        await infra.stop()
        raise
    return infra, stack


async def run_foreground(
    run_dir: Path,
    environ: Mapping[str, str],
    *,
    services: tuple[ServiceSpec, ...] = SERVICES,
    seeder: Seeder = seed_demo_merchant,
) -> int:
    """Start everything, print keys and URLs, stop it all on SIGINT/SIGTERM."""
    claim_run_dir(run_dir)
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    started: tuple[Infra, Stack] | None = None
    rotating: asyncio.Task[None] | None = None
    try:
        started = await start_all(run_dir, environ, services, seeder)
        print_summary(started[1], run_dir)
        rotating = start_rotating(started[1], environ, say)
        await watch(started[1])
    except asyncio.CancelledError:
        task.uncancel()
        say("stopping")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: None)  # cleanup has its own deadlines
        if rotating is not None:
            rotating.cancel()
            await asyncio.gather(rotating, return_exceptions=True)
        if started is not None:
            await started[1].stop()
            await started[0].stop()
        pidfiles.remove_record(pids_dir(run_dir), RUNNER)
    say("stopped")
    return 0
