"""What the machine did while a bench ran: the database's commit latency and a
process's (or process tree's) CPU time, so a slow figure can be told apart from a slow disk.

`CommitProbe` commits one tiny row every `interval_s` on its own connection and
table: durable commits wait for the WAL flush, as the service's do, so a stall
of the disk shows up here as it does in the service's latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Mapping
from pathlib import Path

import asyncpg

from payroute_bench.latency import summary

PROBE_TABLE = "bench_commit_probe"
SLOW_COMMIT_MS = 50.0


class CommitProbe:
    def __init__(self, dsn: str, interval_s: float = 0.02) -> None:
        self._dsn = dsn
        self._interval_s = interval_s
        self.samples_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> CommitProbe:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        try:
            await connection.execute(f"CREATE TABLE IF NOT EXISTS {PROBE_TABLE} (at float8)")
            while True:
                started = time.perf_counter()
                await connection.execute(f"INSERT INTO {PROBE_TABLE} VALUES ($1)", started)  # noqa: S608
                self.samples_ms.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(self._interval_s)
        finally:
            await connection.close()

    def report(self) -> str:
        figures = summary(self.samples_ms)
        slow = sum(1 for ms in self.samples_ms if ms > SLOW_COMMIT_MS)
        return (
            f"database commits meanwhile (probe, {len(self.samples_ms)} one-row commits): "
            f"p50 {figures['p50']} p99 {figures['p99']} max {figures['max']} ms; "
            f"{slow} over {SLOW_COMMIT_MS:.0f} ms"
        )


def _stat_fields(pid: int | str) -> list[str]:
    """/proc/<pid>/stat from field 3 (state) on: the name before may hold spaces."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (Linux /proc)."""
    fields = _stat_fields(pid)
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pids: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process together with its descendants.

    A server that runs a process per connection (Postgres) spends its CPU in
    children: every living process counts its own time plus that of the
    children it has reaped, so a child that exits between two readings still
    counts in their difference.
    """
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(entry.name)
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited while we looked
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        ticks[pid] = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    per_second = os.sysconf("SC_CLK_TCK")

    def tree_ticks(pid: int) -> int:
        return ticks.get(pid, 0) + sum(tree_ticks(child) for child in children.get(pid, ()))

    return {name: tree_ticks(pid) / per_second for name, pid in pids.items() if pid in ticks}
