"""CPU per payment: which processes are Payroute's, per-payment figures, process-tree CPU."""

import os
import subprocess
import sys
import time
from pathlib import Path

from payroute_bench.cpu_per_payment import (
    LOAD_GENERATOR,
    cpu_table,
    ms_per_payment,
    payroute_ms_per_payment,
    payroute_processes,
)
from payroute_bench.witnesses import cpu_seconds, tree_cpu_seconds
from payroute_devstack.infra import Infra
from payroute_devstack.plan import session_plan
from payroute_devstack.stack import Stack

BURN = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"


def replicated_stack(tmp_path: Path) -> Stack:
    plan = session_plan(
        "postgresql://u@127.0.0.1:5432/postgres", token="t", replicas="gateway-api=2"
    )
    return Stack(plan, Infra(tmp_path, "127.0.0.1:9092", "dsn"), {}, tmp_path)


def test_payroute_processes_are_its_services_and_replicas_not_simulator_or_proxy(
    tmp_path: Path,
) -> None:
    payroute = payroute_processes(replicated_stack(tmp_path))
    assert {"gateway-api", "gateway-api.1", "orchestrator", "metrics-exporter"} <= payroute
    assert not {"provider-simulator", "gateway-api.proxy"} & payroute


def test_payroute_share_leaves_out_simulator_broker_and_load_generator() -> None:
    cpu_s = {
        "gateway-api": 3.0,
        "orchestrator": 1.5,
        "provider-simulator": 4.0,
        "broker": 2.0,
        LOAD_GENERATOR: 5.0,
    }
    payroute = {"gateway-api", "orchestrator", "provider-worker"}
    assert payroute_ms_per_payment(cpu_s, 1000, payroute) == 4.5
    assert ms_per_payment(cpu_s, 1000)["broker"] == 2.0
    table = cpu_table(cpu_s, 1000, payroute)
    assert "gateway-api *" in table
    assert "broker *" not in table
    assert table.splitlines()[-2].split()[-1] == "4.50"  # Payroute services
    assert table.splitlines()[-1].split()[-1] == "15.50"  # all processes


def test_tree_cpu_counts_a_child_that_exited_between_readings() -> None:
    before = tree_cpu_seconds({"me": os.getpid()})["me"]
    subprocess.run([sys.executable, "-c", BURN], check=True)
    after = tree_cpu_seconds({"me": os.getpid()})["me"]
    assert after - before >= 0.25


def test_tree_cpu_counts_a_living_child() -> None:
    me = os.getpid()
    tree_before, own_before = tree_cpu_seconds({"me": me})["me"], cpu_seconds(me)
    child = subprocess.Popen([sys.executable, "-c", BURN + "\ninput()"], stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while cpu_seconds(child.pid) < 0.25 and time.monotonic() < deadline:
            time.sleep(0.02)
        # Our own time read before the tree's, as it was read after it above: the
        # reading itself costs CPU, which must not pass for the child's.
        own_after = cpu_seconds(me)
        tree_after = tree_cpu_seconds({"me": me})["me"]
        assert child.poll() is None
        # Whole clock ticks: rounded, so that 0.26 - 0.01 is not 0.2499….
        assert round((tree_after - tree_before) - (own_after - own_before), 2) >= 0.25
    finally:
        child.communicate(b"\n", timeout=10)
