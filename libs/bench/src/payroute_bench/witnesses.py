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

import asyncpg

from payroute_bench.latency import summary
from payroute_bench.process_samples import ProcessTable, stat_fields

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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (Linux /proc)."""
    fields = stat_fields(pid)
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pids: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process together with its descendants
    (see `payroute_bench.process_samples`)."""
    table = ProcessTable()
    return {name: table.cpu_seconds(pid) for name, pid in pids.items() if pid in table.ticks}
