"""Unit tests: pid records and port checks."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from payroute_devstack import pidfiles
from payroute_devstack.errors import PortInUseError
from payroute_devstack.ports import ensure_ports_free, free_port, port_is_open


def test_pid_records_round_trip(tmp_path: Path) -> None:
    me = pidfiles.PidRecord("me", os.getpid(), tuple(sys.orig_argv), signal.SIGTERM)
    pidfiles.write_record(tmp_path, me)
    (tmp_path / "garbage.pid").write_text("not json")
    assert pidfiles.read_records(tmp_path) == [me]
    assert not (tmp_path / "garbage.pid").exists()
    assert pidfiles.is_alive(me)
    pidfiles.remove_record(tmp_path, "me")
    assert pidfiles.read_records(tmp_path) == []


def test_a_reused_pid_running_another_program_is_not_ours() -> None:
    other = pidfiles.PidRecord("x", os.getpid(), ("/usr/bin/not-this",), signal.SIGTERM)
    assert not pidfiles.is_alive(other)


def test_ports_in_use_are_named() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        taken = sock.getsockname()[1]
        assert port_is_open("127.0.0.1", taken)
        with pytest.raises(PortInUseError, match=f"gateway-api \\(127.0.0.1:{taken}\\)"):
            ensure_ports_free({"gateway-api": taken, "orchestrator": free_port()})
    assert not port_is_open("127.0.0.1", taken)


def test_an_exited_unreaped_child_counts_as_gone() -> None:
    argv = (sys.executable, "-c", "pass")
    child = subprocess.Popen(argv)
    record = pidfiles.PidRecord("child", child.pid, argv, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while pidfiles.is_alive(record):  # a zombie until reaped below
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert child.wait(timeout=5) == 0
