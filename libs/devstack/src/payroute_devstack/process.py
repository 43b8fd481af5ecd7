"""One managed child process: spawn, wait until ready, signal, stop, restart."""

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from payroute_devstack import pidfiles
from payroute_devstack.errors import DevstackError, ProcessStartError
from payroute_devstack.logtail import tail
from payroute_devstack.paths import logs_dir, pids_dir

Probe = Callable[[], Awaitable[bool]]

_POLL_S = 0.1


@dataclass(frozen=True)
class ProcessSpec:
    """What to run, how to tell it is ready, and how to ask it to stop."""

    name: str
    argv: tuple[str, ...]
    probe: Probe
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    stop_signal: signal.Signals = signal.SIGTERM
    user: int | None = None
    group: int | None = None


class ManagedProcess:
    """A child with its log at `<run dir>/logs/<name>.log` and pid file in `pids/`."""

    def __init__(self, spec: ProcessSpec, run_dir: Path) -> None:
        self.spec = spec
        self.log_path = logs_dir(run_dir) / f"{spec.name}.log"
        self._pid_dir = pids_dir(run_dir)
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pid(self) -> int | None:
        return None if self._popen is None else self._popen.pid

    @property
    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return tail(self.log_path, lines)

    def spawn(self) -> None:
        """Start the child (in its own session, so Ctrl-C reaches only the runner)."""
        if self.is_running():
            raise DevstackError(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            log.write(f"\n=== {stamp} devstack starts {self.name} ===\n".encode())
            log.flush()
            self._popen = subprocess.Popen(  # noqa: S603 - argv built by the devstack
                self.spec.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=None if self.spec.env is None else dict(self.spec.env),
                cwd=self.spec.cwd,
                start_new_session=True,
                user=self.spec.user,
                group=self.spec.group,
                extra_groups=None if self.spec.user is None else [],
            )
        record = pidfiles.PidRecord(
            self.name, self._popen.pid, self.spec.argv, int(self.spec.stop_signal)
        )
        pidfiles.write_record(self._pid_dir, record)

    async def wait_ready(self, within: float) -> None:
        """Poll the probe until it answers True; fail fast if the child exits."""
        deadline = time.monotonic() + within
        while True:
            code = self.returncode
            if code is not None or self._popen is None:
                raise ProcessStartError(
                    f"{self.name} exited with code {code} before it was ready; "
                    f"last lines of {self.log_path}:\n{self.log_tail()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ProcessStartError(
                    f"{self.name} was not ready within {within:.0f}s; "
                    f"last lines of {self.log_path}:\n{self.log_tail()}"
                )
            try:
                if await asyncio.wait_for(self.spec.probe(), timeout=max(remaining, 0.5)):
                    return
            except TimeoutError:
                pass
            await asyncio.sleep(_POLL_S)

    async def start(self, within: float) -> None:
        """Spawn and wait until ready; on failure the child is stopped again."""
        self.spawn()
        try:
            await self.wait_ready(within)
        except BaseException:
            await self.stop(grace=2.0)
            raise

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send a signal; for SIGKILL also wait (briefly) until the child is gone."""
        if self._popen is None or not self.is_running():
            raise DevstackError(f"{self.name} is not running")
        self._popen.send_signal(sig)
        if sig == signal.SIGKILL:
            self._popen.wait(timeout=10)

    async def stop(self, grace: float = 10.0) -> int | None:
        """Stop signal, then SIGKILL after `grace` seconds. Returns the exit code."""
        popen = self._popen
        if popen is None:
            return None
        if popen.poll() is None:
            self._signal(popen, self.spec.stop_signal)
            if not await _wait_exit(popen, grace):
                self._signal(popen, signal.SIGKILL)
                await _wait_exit(popen, 10.0)
        pidfiles.remove_record(self._pid_dir, self.name)
        return popen.poll()

    async def restart(self, within: float, grace: float = 10.0) -> None:
        await self.stop(grace)
        await self.start(within)

    @staticmethod
    def _signal(popen: subprocess.Popen[bytes], sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(popen.pid, sig)


async def _wait_exit(popen: subprocess.Popen[bytes], within: float) -> bool:
    deadline = time.monotonic() + within
    while popen.poll() is None:
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return True
