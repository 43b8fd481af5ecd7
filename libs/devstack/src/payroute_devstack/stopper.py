"""Stopping a stack from another shell, through its pid files."""

import asyncio
import os
import signal
import time
from pathlib import Path

from payroute_devstack import pidfiles
from payroute_devstack.paths import pids_dir

RUNNER = "devstack"  # the foreground `run` process; it stops the rest itself
_LAST = ("broker", "postgres")  # after the services, in this order


async def _wait_gone(record: pidfiles.PidRecord, within: float) -> bool:
    deadline = time.monotonic() + within
    while pidfiles.is_alive(record):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.1)
    return True


async def stop_record(record: pidfiles.PidRecord, grace: float) -> None:
    """Its stop signal, then SIGKILL after grace seconds."""
    for sig in (record.stop_signal, signal.SIGKILL):
        try:
            os.kill(record.pid, sig)
        except ProcessLookupError:
            return
        if await _wait_gone(record, grace):
            return


async def stop_recorded(
    run_dir: Path, *, grace: float = 10.0, runner_grace: float = 120.0
) -> list[str]:
    """Stop the runner (which stops everything), then whatever is still alive.

    Services go first, all at once, then the broker, then Postgres. Returns the
    names of the processes that were running.
    """
    pid_dir = pids_dir(run_dir)
    stopped: list[str] = []
    for record in pidfiles.read_records(pid_dir):
        if record.name == RUNNER and pidfiles.is_alive(record):
            stopped.append(RUNNER)
            await stop_record(record, runner_grace)
    left = [r for r in pidfiles.read_records(pid_dir) if r.name != RUNNER]
    tiers = [
        [r for r in left if r.name not in _LAST],
        *([r for r in left if r.name == name] for name in _LAST),
    ]
    for tier in tiers:
        alive = [r for r in tier if pidfiles.is_alive(r)]
        stopped.extend(r.name for r in alive)
        waits = [stop_record(r, grace * 3 if r.name == "postgres" else grace) for r in alive]
        await asyncio.gather(*waits)
    for record in pidfiles.read_records(pid_dir):
        pidfiles.remove_record(pid_dir, record.name)
    return stopped
