"""Integration: `python -m payroute_devstack` refuses clearly and stops via pid files."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from payroute_devstack import pidfiles
from payroute_devstack.ports import free_port
from payroute_devstack.services import SERVICES

pytestmark = pytest.mark.integration


def devstack(args: list[str], run_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PAYROUTE_RUN_DIR": str(run_dir), **env}
    full_env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    return subprocess.run(
        [sys.executable, "-m", "payroute_devstack", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def free_service_ports() -> dict[str, str]:
    return {f"{s.env_prefix}PORT": str(free_port()) for s in SERVICES}


def test_stop_with_nothing_running(tmp_path: Path) -> None:
    done = devstack(["stop"], tmp_path)
    assert done.returncode == 0
    assert "no stack is running" in done.stdout


def test_run_fails_clearly_when_the_broker_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = devstack(["run"], tmp_path, PAYROUTE_BROKER_PORT=str(port), **free_service_ports())
    assert done.returncode == 1
    assert f"127.0.0.1:{port}" in done.stderr
    assert "KAFKA_BOOTSTRAP_SERVERS" in done.stderr
    assert "PAYROUTE_API_KEY" not in done.stdout
    assert list((tmp_path / "pids").glob("*.pid")) == []


def test_run_refuses_while_a_stack_runs(tmp_path: Path) -> None:
    argv = (sys.executable, "-c", "import time; time.sleep(60)")
    sleeper = subprocess.Popen(argv)
    try:
        record = pidfiles.PidRecord("broker", sleeper.pid, argv, signal.SIGTERM)
        pidfiles.write_record(tmp_path / "pids", record)
        done = devstack(["run"], tmp_path)
        assert done.returncode == 1
        assert "already runs" in done.stderr
        assert "make stop" in done.stderr

        stopped = devstack(["stop"], tmp_path)
        assert stopped.returncode == 0
        assert "stopped: broker" in stopped.stdout
        assert sleeper.wait(timeout=10) == -signal.SIGTERM
    finally:
        sleeper.kill()
