"""Runs asked for over HTTP execute in the background of the process that made them;
`Prefer: wait=N` waits on that task. If the process dies first, the schedule's
sweep executes the run (runs/execute.py takes it under its row lock)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from reconciliation.runs.execute import execute_run
from reconciliation.store import ReconciliationUnitOfWork


class RunExecutor:
    def __init__(self, unit_of_work: Callable[[], ReconciliationUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work
        self._tasks: dict[str, asyncio.Task[bool]] = {}

    def start(self, run_id: str) -> None:
        task = asyncio.create_task(execute_run(run_id, uow=self._unit_of_work()))
        self._tasks[run_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(run_id, None))

    async def wait(self, run_id: str, seconds: float) -> None:
        """Until the run's task ends or `seconds` pass, whichever is first."""
        task = self._tasks.get(run_id)
        if task is None or seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), seconds)
