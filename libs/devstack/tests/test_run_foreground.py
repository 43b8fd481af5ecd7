"""Integration: the foreground runner with stand-in services, stopped by signal or `stop`."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from payroute_devstack.databases import drop_database, unique_database_name
from payroute_devstack.infra import Infra
from payroute_devstack.ports import free_port, port_is_open
from payroute_devstack.stopper import stop_recorded

pytestmark = pytest.mark.integration

FAKES = Path(__file__).parent / "fakes"


def runner_env(infra: Infra, database: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(FAKES),
        "ALPHA_PORT": str(free_port()),
        "BETA_PORT": str(free_port()),
        "PAYROUTE_BROKER_PORT": str(free_port()),
        "PAYROUTE_POSTGRES_DSN": infra.postgres_dsn,
        "FAKE_DB_NAME": database,
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    return env


async def start_runner(
    env: dict[str, str], run_dir: Path
) -> tuple[asyncio.subprocess.Process, list[str]]:
    with (run_dir / "runner.err").open("wb") as err:
        runner = await asyncio.create_subprocess_exec(
            sys.executable,
            str(FAKES / "run_fake_stack.py"),
            str(run_dir),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    assert runner.stdout is not None
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Ctrl-C"):
        line = await asyncio.wait_for(runner.stdout.readline(), timeout=60)
        assert line, f"runner ended early:\n{(run_dir / 'runner.err').read_text()}"
        lines.append(line.decode().rstrip())
    return runner, lines


async def settle(runner: asyncio.subprocess.Process, run_dir: Path) -> None:
    """After a failed assertion: stop the runner and anything it left behind."""
    if runner.returncode is None:
        runner.terminate()
        try:
            await asyncio.wait_for(runner.wait(), timeout=30)
        except TimeoutError:
            runner.kill()
    await stop_recorded(run_dir, grace=5)


def ports_of(env: dict[str, str]) -> list[int]:
    return [int(env[k]) for k in ("ALPHA_PORT", "BETA_PORT", "PAYROUTE_BROKER_PORT")]


async def test_run_prints_keys_then_stop_from_another_shell(infra: Infra, tmp_path: Path) -> None:
    database = unique_database_name("devstack_run")
    env = runner_env(infra, database)
    runner, lines = await start_runner(env, tmp_path)
    try:
        assert lines[:3] == [
            "PAYROUTE_API_KEY=pk_fake_merchant",
            "PAYROUTE_OPERATOR_KEY=pk_fake_operator",
            "PAYROUTE_ADMIN_KEY=pk_fake_admin",
        ]
        assert sum(line.startswith("PAYROUTE_API_KEY=") for line in lines) == 1
        text = "\n".join(lines)
        assert f"http://127.0.0.1:{env['BETA_PORT']}/webhooks" in text
        assert f"127.0.0.1:{env['PAYROUTE_BROKER_PORT']} (started here)" in text
        assert str(tmp_path / "logs") in text
        assert all(port_is_open("127.0.0.1", port) for port in ports_of(env))

        stop = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "payroute_devstack", "stop"],
            env={**env, "PAYROUTE_RUN_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert stop.returncode == 0
        assert stop.stdout.startswith("stopped: devstack")
        assert await asyncio.wait_for(runner.wait(), timeout=30) == 0
        assert not any(port_is_open("127.0.0.1", port) for port in ports_of(env))
        assert list((tmp_path / "pids").glob("*.pid")) == []
    finally:
        await settle(runner, tmp_path)
        await drop_database(infra.postgres_dsn, database)


async def test_ctrl_c_stops_everything(infra: Infra, tmp_path: Path) -> None:
    database = unique_database_name("devstack_run")
    env = runner_env(infra, database)
    runner, _ = await start_runner(env, tmp_path)
    try:
        runner.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(runner.wait(), timeout=30) == 0
        assert not any(port_is_open("127.0.0.1", port) for port in ports_of(env))
        assert list((tmp_path / "pids").glob("*.pid")) == []
    finally:
        await settle(runner, tmp_path)
        await drop_database(infra.postgres_dsn, database)
    assert "stopped" in (tmp_path / "runner.err").read_text()
