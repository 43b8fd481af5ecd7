"""Integration: several replicas of a stand-in service behind the devstack's proxy."""

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from payroute_devstack.infra import Infra
from payroute_devstack.plan import session_plan
from payroute_devstack.ports import port_is_open
from payroute_devstack.services import ServiceSpec
from payroute_devstack.stack import start_stack

pytestmark = pytest.mark.integration

FAKES = str(Path(__file__).parent / "fakes")
INGEST = ServiceSpec("webhook-ingest", "fakesvc.beta", "BETA_", 0, None, load_balanced=True)
WORKER = ServiceSpec("orchestrator", "fakesvc.alpha", "ALPHA_", 0, None)


async def pids_behind(url: str, connections: int) -> list[str]:
    """The replica that answered each of `connections` fresh connections."""
    pids = []
    for _ in range(connections):
        async with httpx.AsyncClient() as client:  # a new connection each time
            answer = await client.get(f"{url}/env")
            pids.append(answer.json()["PID"])
    return pids


async def test_replicas_share_a_proxy_and_one_can_be_killed(infra: Infra, tmp_path: Path) -> None:
    services = (INGEST, WORKER)
    plan = session_plan(
        infra.postgres_dsn, services=services, replicas={"webhook-ingest": 2, "orchestrator": 2}
    )
    env = {**os.environ, "PYTHONPATH": FAKES}
    stack = await start_stack(plan, infra, tmp_path, base_env=env, seeder=None)
    try:
        assert list(stack.processes) == [
            "webhook-ingest",
            "webhook-ingest.1",
            "orchestrator",
            "orchestrator.1",
            "webhook-ingest.proxy",
        ]
        ingest = [stack.process("webhook-ingest", i).pid for i in range(2)]
        url = stack.url("webhook-ingest")
        assert sorted(await pids_behind(url, 4)) == sorted(str(p) for p in ingest * 2)

        stack.kill("webhook-ingest", replica=1)
        assert stack.process("webhook-ingest").is_running()
        assert await pids_behind(url, 4) == [str(ingest[0])] * 4

        await asyncio.to_thread(stack.restart, "webhook-ingest", replica=1)
        again = stack.process("webhook-ingest", 1).pid
        assert again != ingest[1]
        assert str(again) in await pids_behind(url, 4)

        # A worker's replicas each answer on their own port; replica 0 on the public one.
        async with httpx.AsyncClient() as client:
            for i in range(2):
                shown = (await client.get(f"{plan.replica_url('orchestrator', i)}/env")).json()
                assert shown["PID"] == str(stack.process("orchestrator", i).pid)
        assert plan.replica_url("orchestrator", 0) == stack.url("orchestrator")
        stack.kill("orchestrator", replica=1)
        assert stack.process("orchestrator").is_running()
    finally:
        await stack.stop(grace=5)
    for port in [*plan.ports.values(), *(p for ps in plan.replica_ports.values() for p in ps)]:
        assert not port_is_open("127.0.0.1", port)
    assert list((tmp_path / "pids").glob("*.pid")) == []
