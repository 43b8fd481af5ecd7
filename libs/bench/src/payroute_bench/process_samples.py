"""CPU time and resident memory of named process trees, read from Linux /proc.

A process's figures include its descendants': a server that runs a process per
connection (an embedded Postgres) spends its CPU and memory in children. CPU
counts each living process's own time plus that of the children it reaped, so
a child that exits between two samples still counts in their difference; RSS is
the sum of the living processes' `VmRSS` (shared pages count once per process).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Sample:
    cpu_s: float
    rss_mb: float


def stat_fields(pid: int | str) -> list[str]:
    """/proc/<pid>/stat from field 3 (state) on: the name before may hold spaces."""
    return (PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()


def rss_kb(pid: int) -> int:
    """The process's resident set (VmRSS) in kB; 0 for a process gone or without one."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


class ProcessTable:
    """One reading of every process: its parent and its CPU ticks with reaped children's."""

    def __init__(self) -> None:
        self.parents: dict[int, int] = {}
        self.ticks: dict[int, int] = {}
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = stat_fields(entry.name)
            except (FileNotFoundError, ProcessLookupError):
                continue  # exited while we looked
            pid = int(entry.name)
            self.parents[pid] = int(fields[1])
            self.ticks[pid] = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        self.children: dict[int, list[int]] = {}
        for pid, parent in self.parents.items():
            self.children.setdefault(parent, []).append(pid)

    def tree(self, pid: int) -> list[int]:
        """The process and all its living descendants."""
        found, pending = [], [pid]
        while pending:
            current = pending.pop()
            found.append(current)
            pending.extend(self.children.get(current, ()))
        return found

    def cpu_seconds(self, pid: int) -> float:
        ticks = sum(self.ticks.get(p, 0) for p in self.tree(pid))
        return ticks / os.sysconf("SC_CLK_TCK")

    def sample(self, pid: int) -> Sample:
        rss = sum(rss_kb(p) for p in self.tree(pid))
        return Sample(cpu_s=self.cpu_seconds(pid), rss_mb=round(rss / 1024, 1))


def sample_trees(pids: Mapping[str, int]) -> dict[str, Sample]:
    """CPU seconds so far and RSS now of each named process tree still running."""
    table = ProcessTable()
    return {name: table.sample(pid) for name, pid in pids.items() if pid in table.ticks}


class ProcessHistory:
    """CPU of named process trees that may be restarted under the same name (a rotated
    broker): the CPU each pid had when last seen is kept, so a name's CPU spans its
    restarts, short by what the old process spent after its last sample. Sample often
    (`sample`) to keep that small; RSS is the current process's."""

    def __init__(self) -> None:
        self._seen: dict[str, dict[int, float]] = {}

    def sample(self, pids: Mapping[str, int]) -> dict[str, Sample]:
        now = sample_trees(pids)
        for name, sample in now.items():
            self._seen.setdefault(name, {})[pids[name]] = sample.cpu_s
        return {
            name: Sample(cpu_s=round(sum(self._seen[name].values()), 3), rss_mb=sample.rss_mb)
            for name, sample in now.items()
        }


def cpu_ms_per_payment(
    before: Mapping[str, Sample], after: Mapping[str, Sample], payments: int
) -> dict[str, float | None]:
    """Each process's CPU between two samples per payment, in ms (None without payments)."""
    return {
        name: round((now.cpu_s - before[name].cpu_s) * 1000 / payments, 2) if payments else None
        for name, now in after.items()
        if name in before
    }
