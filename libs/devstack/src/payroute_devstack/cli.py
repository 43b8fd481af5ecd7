"""Command line: `python -m payroute_devstack run|stop|migrate` (also `payroute-dev`)."""

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from payroute_devstack.errors import DevstackError
from payroute_devstack.foreground import run_foreground
from payroute_devstack.migrate import migrate_all
from payroute_devstack.paths import default_run_dir
from payroute_devstack.stopper import stop_recorded


def run_dir_from_env() -> Path:
    override = os.environ.get("PAYROUTE_RUN_DIR")
    return Path(override).resolve() if override else default_run_dir()


def _stop(run_dir: Path) -> int:
    stopped = asyncio.run(stop_recorded(run_dir))
    if stopped:
        print(f"stopped: {', '.join(stopped)}")
    else:
        print(f"no stack is running from {run_dir}")
    return 0


def _migrate(run_dir: Path) -> int:
    for line in asyncio.run(migrate_all(run_dir, dict(os.environ))):
        print(line)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="payroute-dev", description="Payroute local stack")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start broker, Postgres and all services; Ctrl-C stops")
    commands.add_parser("stop", help="stop a stack started by `run` (from any shell)")
    commands.add_parser("migrate", help="create missing databases, apply every migration")
    args = parser.parse_args(argv)
    run_dir = run_dir_from_env()
    try:
        if args.command == "run":
            return asyncio.run(run_foreground(run_dir, dict(os.environ)))
        if args.command == "migrate":
            return _migrate(run_dir)
        return _stop(run_dir)
    except DevstackError as exc:
        print(f"payroute-dev: {exc}", file=sys.stderr)
        return 1
