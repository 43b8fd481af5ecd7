"""The infrastructure under the services: one broker and one Postgres server."""

import asyncio
from dataclasses import dataclass
from pathlib import Path

from payroute_devstack.broker import start_broker, wait_for_broker
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN
from payroute_devstack.ports import LOCAL_HOST, free_port
from payroute_devstack.postgres import ensure_postgres
from payroute_devstack.process import ManagedProcess


@dataclass
class Infra:
    """Where the broker and Postgres are, and the processes the devstack started."""

    run_dir: Path
    bootstrap_servers: str
    postgres_dsn: str
    broker: ManagedProcess | None = None
    postgres: ManagedProcess | None = None

    async def stop(self) -> None:
        """Stop what the devstack started (broker first, then Postgres)."""
        if self.broker is not None:
            await self.broker.stop()
        if self.postgres is not None:
            await self.postgres.stop(grace=30.0)


async def start_infra(
    run_dir: Path,
    *,
    postgres_dsn: str = DEFAULT_POSTGRES_DSN,
    bootstrap_servers: str | None = None,
    broker_port: int | None = None,
    need_postgres: bool = True,
    within: float = 30.0,
) -> Infra:
    """Start a broker unless bootstrap_servers is given; ensure Postgres if needed.

    broker_port None means a free port. On failure, whatever started is stopped.
    """
    port = broker_port or free_port()
    servers = bootstrap_servers or f"{LOCAL_HOST}:{port}"

    async def broker() -> ManagedProcess | None:
        if bootstrap_servers:
            await wait_for_broker(bootstrap_servers, within=within)
            return None
        return await start_broker(run_dir, port, within=within)

    async def postgres() -> ManagedProcess | None:
        if not need_postgres:
            return None
        return await ensure_postgres(postgres_dsn, run_dir, within=within)

    tasks = [asyncio.create_task(broker()), asyncio.create_task(postgres())]
    try:
        broker_process, postgres_process = await asyncio.gather(*tasks)
    except BaseException:
        await _stop_started(tasks)
        raise
    return Infra(run_dir, servers, postgres_dsn, broker_process, postgres_process)


async def _stop_started(tasks: list[asyncio.Task[ManagedProcess | None]]) -> None:
    """After a failure or cancellation: let both starts unwind, stop what came up."""
    for task in tasks:
        task.cancel()
    await asyncio.wait(tasks)
    for task in tasks:
        if task.cancelled() or task.exception() is not None:
            continue
        process = task.result()
        if process is not None:
            await process.stop()
