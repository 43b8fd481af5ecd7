"""Resident memory of a process tree: the process and its living children, summed."""

import os
import subprocess
import sys

from payroute_bench.process_samples import ProcessHistory, rss_kb, sample_trees

HOLD_64_MB = "block = bytearray(64 * 1024 * 1024)\nprint('ready', flush=True)\ninput()"


def test_a_tree_sums_the_memory_of_its_living_children() -> None:
    me = os.getpid()
    alone = sample_trees({"me": me})["me"].rss_mb
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_64_MB], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        with_child = sample_trees({"me": me, "child": child.pid})
        assert with_child["child"].rss_mb >= 64
        assert with_child["me"].rss_mb - alone >= with_child["child"].rss_mb - 1
    finally:
        child.communicate(b"\n", timeout=10)
    # Waited for: gone from /proc, so no longer sampled.
    assert rss_kb(child.pid) == 0
    assert "child" not in sample_trees({"child": child.pid})


BURN_THEN_WAIT = (
    "import time\nend = time.process_time() + 0.3\n"
    "while time.process_time() < end: pass\nprint('ready', flush=True)\ninput()"
)


def _burner() -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", BURN_THEN_WAIT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"
    return process


def test_a_restarted_process_keeps_the_cpu_of_the_one_it_replaced() -> None:
    history = ProcessHistory()
    first = _burner()
    spent_first = history.sample({"broker": first.pid})["broker"].cpu_s
    first.communicate(b"\n", timeout=10)
    second = _burner()
    try:
        both = history.sample({"broker": second.pid})["broker"].cpu_s
    finally:
        second.communicate(b"\n", timeout=10)
    assert spent_first >= 0.25
    assert both >= spent_first + 0.25
