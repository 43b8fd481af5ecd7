"""The seven services as one stack: start, stop, kill, restart, inspect."""

import asyncio
import os
import signal
from collections.abc import Mapping
from pathlib import Path

from payroute_devstack.blocking import run_blocking
from payroute_devstack.databases import create_database, drop_database
from payroute_devstack.env import stack_env
from payroute_devstack.errors import DevstackError, ProcessStartError
from payroute_devstack.infra import Infra
from payroute_devstack.launch import proxy_process, service_process
from payroute_devstack.plan import StackPlan
from payroute_devstack.process import ManagedProcess
from payroute_devstack.seed import DemoKeys, Seeder, seed_demo_merchant


class Stack:
    """Running services plus the infra they use. Tests get one from the `stack` fixture.

    A service run as several replicas (`StackPlan.replica_ports`) is several
    processes; `kill`, `restart` and `log_tail` take `replica=` (0 by default).
    `processes` holds every process by its own name (`orchestrator`,
    `orchestrator.1`, `gateway-api.proxy`), in start order.
    """

    def __init__(
        self,
        plan: StackPlan,
        infra: Infra,
        env: Mapping[str, str],
        run_dir: Path,
        *,
        ready_timeout: float = 120.0,
    ) -> None:
        self.plan = plan
        self.infra = infra
        self.env = dict(env)
        self.run_dir = run_dir
        self.ready_timeout = ready_timeout
        self.keys: DemoKeys | None = None
        self.replica_sets = {
            s.name: [
                ManagedProcess(service_process(s, plan, env, i), run_dir)
                for i in range(plan.replicas(s.name))
            ]
            for s in plan.services
        }
        proxies = [
            ManagedProcess(proxy_process(s, plan, env), run_dir)
            for s in plan.services
            if plan.proxied(s.name)
        ]
        every = [p for replicas in self.replica_sets.values() for p in replicas] + proxies
        self.processes = {p.name: p for p in every}

    def url(self, name: str) -> str:
        return self.plan.url(name)

    @property
    def api_key(self) -> str:
        return self._keys().api_key

    @property
    def operator_key(self) -> str:
        return self._keys().operator_key

    @property
    def admin_key(self) -> str:
        return self._keys().admin_key

    @property
    def merchant_id(self) -> str:
        return self._keys().merchant_id

    @property
    def bootstrap_servers(self) -> str:
        return self.infra.bootstrap_servers

    @property
    def topic_prefix(self) -> str:
        return self.plan.topic_prefix

    def database_url(self, name: str) -> str:
        if name not in self.plan.database_urls:
            raise DevstackError(f"service {name!r} has no database in this stack")
        return self.plan.database_urls[name]

    def replicas(self, name: str) -> list[ManagedProcess]:
        if name not in self.replica_sets:
            raise DevstackError(f"no service {name!r} in this stack")
        return self.replica_sets[name]

    def process(self, name: str, replica: int = 0) -> ManagedProcess:
        replicas = self.replicas(name)
        if not 0 <= replica < len(replicas):
            raise DevstackError(f"{name} has {len(replicas)} replica(s); no replica {replica}")
        return replicas[replica]

    def kill(self, name: str, sig: int = signal.SIGKILL, *, replica: int = 0) -> None:
        """Signal one service (one replica of it); after SIGKILL it is gone when this returns."""
        self.process(name, replica).kill(sig)

    def restart(self, name: str, *, replica: int = 0) -> None:
        """Stop (if running) and start one service (replica) again; blocks until it is ready.

        From async code: `await asyncio.to_thread(stack.restart, name)`, or
        `await stack.restart_async(name)`.
        """
        process = self.process(name, replica)
        run_blocking(lambda: process.restart(self.ready_timeout))

    async def restart_async(self, name: str, *, replica: int = 0) -> None:
        """`restart` as a coroutine on the caller's loop."""
        await self.process(name, replica).restart(self.ready_timeout)

    def log_tail(self, name: str, lines: int = 60, *, replica: int = 0) -> str:
        return self.process(name, replica).log_tail(lines)

    async def start(self) -> None:
        """Spawn every service in order, then wait for all of them together.

        The first failure ends the wait; every failure seen by then is reported.
        """
        for process in self.processes.values():
            process.spawn()
        waits = [
            asyncio.ensure_future(p.wait_ready(self.ready_timeout)) for p in self.processes.values()
        ]
        try:
            done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            for wait in waits:
                wait.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        errors = [w.exception() for w in done if w.exception() is not None]
        if errors:
            raise ProcessStartError("\n\n".join(str(e) for e in errors))

    async def stop(self, grace: float = 10.0) -> None:
        """Stop every service at once (stop signal, SIGKILL after grace)."""
        await asyncio.gather(*(p.stop(grace) for p in reversed(self.processes.values())))

    async def create_databases(self) -> None:
        for name in self.plan.owned_databases:
            await create_database(self.infra.postgres_dsn, name)

    async def drop_databases(self) -> None:
        for name in self.plan.owned_databases:
            await drop_database(self.infra.postgres_dsn, name)

    def _keys(self) -> DemoKeys:
        if self.keys is None:
            raise DevstackError("this stack was started without seeding a demo merchant")
        return self.keys


async def start_stack(
    plan: StackPlan,
    infra: Infra,
    run_dir: Path,
    *,
    provider_overrides: Mapping[str, str] | None = None,
    base_env: Mapping[str, str] | None = None,
    seeder: Seeder | None = seed_demo_merchant,
    ready_timeout: float = 120.0,
) -> Stack:
    """Create databases, start every service, seed the demo merchant (unless seeder is None).

    On any failure (or cancellation) the services started so far are stopped.
    """
    env = stack_env(
        plan,
        infra.bootstrap_servers,
        base=os.environ if base_env is None else base_env,
        provider_overrides=provider_overrides or {},
    )
    # The simulator's history file stays under the run directory, not in /tmp.
    env.setdefault("PROVIDER_SIMULATOR_DATA_DIR", str(run_dir / "provider-simulator"))
    stack = Stack(plan, infra, env, run_dir, ready_timeout=ready_timeout)
    try:
        await stack.create_databases()
        await stack.start()
        if seeder is not None:
            stack.keys = await seeder(stack.env)
    except BaseException:
        await stack.stop(grace=5.0)
        raise
    return stack
