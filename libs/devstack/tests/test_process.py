"""Integration: spawning, readiness, signals, restart and pid-file stop of a dummy process."""

import signal
import sys
from pathlib import Path

import pytest

from payroute_devstack.errors import ProcessStartError
from payroute_devstack.ports import free_port, port_is_open
from payroute_devstack.probes import http_ok
from payroute_devstack.process import ManagedProcess, ProcessSpec
from payroute_devstack.stopper import stop_recorded

pytestmark = pytest.mark.integration


def http_server(run_dir: Path, name: str = "dummy") -> tuple[ManagedProcess, int]:
    port = free_port()
    argv = (sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1")
    spec = ProcessSpec(name=name, argv=argv, probe=http_ok(f"http://127.0.0.1:{port}/"))
    return ManagedProcess(spec, run_dir), port


async def test_ready_kill_restart_stop(tmp_path: Path) -> None:
    process, port = http_server(tmp_path)
    await process.start(within=20)
    try:
        assert port_is_open("127.0.0.1", port)
        first = process.pid
        assert (tmp_path / "pids" / "dummy.pid").is_file()

        process.kill(signal.SIGKILL)
        assert not process.is_running()
        assert process.returncode == -signal.SIGKILL

        await process.restart(within=20)
        assert process.is_running()
        assert process.pid != first
        assert port_is_open("127.0.0.1", port)
    finally:
        code = await process.stop(grace=5)
    assert code is not None
    assert not process.is_running()
    assert not port_is_open("127.0.0.1", port)
    assert not (tmp_path / "pids" / "dummy.pid").exists()
    assert process.log_path == tmp_path / "logs" / "dummy.log"
    assert process.log_path.read_text().count("devstack starts dummy") == 2


async def test_sigterm_ignored_means_sigkill_after_grace(tmp_path: Path) -> None:
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "print('ignoring SIGTERM', flush=True); time.sleep(60)"
    )
    log = tmp_path / "logs" / "stubborn.log"

    async def handler_installed() -> bool:
        return "ignoring SIGTERM" in log.read_text()

    spec = ProcessSpec(name="stubborn", argv=(sys.executable, "-c", code), probe=handler_installed)
    process = ManagedProcess(spec, tmp_path)
    await process.start(within=10)
    assert await process.stop(grace=0.5) == -signal.SIGKILL


async def test_exit_before_ready_reports_the_log(tmp_path: Path) -> None:
    code = "print('config error: X_PORT missing'); raise SystemExit(2)"
    spec = ProcessSpec(name="crashy", argv=(sys.executable, "-c", code), probe=_never)
    with pytest.raises(ProcessStartError, match=r"(?s)exited with code 2.*X_PORT missing"):
        await ManagedProcess(spec, tmp_path).start(within=20)


async def test_not_ready_in_time_is_an_error(tmp_path: Path) -> None:
    spec = ProcessSpec(
        name="slow", argv=(sys.executable, "-c", "import time; time.sleep(60)"), probe=_never
    )
    process = ManagedProcess(spec, tmp_path)
    with pytest.raises(ProcessStartError, match="not ready within 1s"):
        await process.start(within=1)
    assert not process.is_running()


async def test_stop_from_pid_files_as_another_shell_would(tmp_path: Path) -> None:
    process, port = http_server(tmp_path, "gateway-api")
    await process.start(within=20)
    stopped = await stop_recorded(tmp_path, grace=5)
    assert stopped == ["gateway-api"]
    assert not port_is_open("127.0.0.1", port)
    assert list((tmp_path / "pids").glob("*.pid")) == []
    assert await stop_recorded(tmp_path) == []
    assert await process.stop() is not None  # reaps the child the "other shell" stopped


async def _never() -> bool:
    return False
