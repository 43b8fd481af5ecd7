"""A fresh stack for one bench run: its own run directory, databases and topics.

The broker and Postgres come from `KAFKA_BOOTSTRAP_SERVERS` and
`PAYROUTE_POSTGRES_DSN` when set, else the devstack starts (or finds) them;
`PAYROUTE_REPLICAS` runs several replicas per service, as for `make run`.
With `rotation_report`, a broker the devstack started is rotated as under
`make run` (`payroute_devstack.broker_rotation`), each rotation reported there.
Everything the run started stops afterwards and its databases are dropped; the
logs stay in the run directory.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

from payroute_bench.run_dir import new_run_dir
from payroute_devstack.broker_rotation import start_rotating
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN
from payroute_devstack.infra import start_infra
from payroute_devstack.plan import session_plan
from payroute_devstack.replicas import REPLICAS_VAR
from payroute_devstack.stack import Stack, start_stack

T = TypeVar("T")


def replicas_asked() -> str:
    """PAYROUTE_REPLICAS as given ("" for one replica of each service)."""
    return os.environ.get(REPLICAS_VAR, "")


async def on_fresh_stack(
    work: Callable[[Stack], Awaitable[T]],
    *,
    rotation_report: Callable[[str], None] | None = None,
) -> T:
    """Start the infrastructure and every service, run `work` on them, stop them all."""
    run_dir = new_run_dir()
    infra = await start_infra(
        run_dir,
        postgres_dsn=os.environ.get("PAYROUTE_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN,
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
    )
    try:
        plan = session_plan(infra.postgres_dsn, replicas=replicas_asked())
        stack = await start_stack(plan, infra, run_dir)
        rotating = None
        if rotation_report is not None:
            rotating = start_rotating(stack, os.environ, rotation_report)
        try:
            return await work(stack)
        finally:
            if rotating is not None:
                rotating.cancel()
                await asyncio.gather(rotating, return_exceptions=True)
            await stack.stop()
            await stack.drop_databases()
    finally:
        await infra.stop()
