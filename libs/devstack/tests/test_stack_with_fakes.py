"""Integration: the stack machinery with stand-in services (the real ones are elsewhere).

The stand-ins (tests/fakes/fakesvc) follow the same contract: `<PREFIX>PORT`,
`/health/ready`. They report the env they were given at `/env`.
"""

import asyncio
import os
import signal
from pathlib import Path

import asyncpg
import httpx
import pytest

from payroute_devstack.databases import database_exists
from payroute_devstack.errors import DevstackError, ProcessStartError
from payroute_devstack.infra import Infra
from payroute_devstack.plan import session_plan
from payroute_devstack.ports import port_is_open
from payroute_devstack.services import ServiceSpec
from payroute_devstack.stack import start_stack

pytestmark = pytest.mark.integration

FAKES = str(Path(__file__).parent / "fakes")
SIMULATOR = ServiceSpec("provider-simulator", "fakesvc.alpha", "ALPHA_", 0, None)
INGEST = ServiceSpec("webhook-ingest", "fakesvc.beta", "BETA_", 0, "devstack_fake")
BROKEN = ServiceSpec("orchestrator", "fakesvc.broken", "BROKEN_", 0, None)


def fake_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": FAKES}


async def env_of(client: httpx.AsyncClient, url: str) -> dict[str, str]:
    response = await client.get(f"{url}/env")
    response.raise_for_status()
    return dict(response.json())


async def test_stack_starts_restarts_and_stops(infra: Infra, tmp_path: Path) -> None:
    plan = session_plan(infra.postgres_dsn, services=(SIMULATOR, INGEST))
    stack = await start_stack(plan, infra, tmp_path, base_env=fake_env(), seeder=None)
    database = plan.owned_databases[0]
    try:
        async with httpx.AsyncClient() as client:
            sim = await env_of(client, stack.url("provider-simulator"))
            ingest = await env_of(client, stack.url("webhook-ingest"))
            for shared in ("STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "XENDIT_CALLBACK_TOKEN"):
                assert sim[shared] == ingest[shared] == stack.env[shared]
            assert ingest["STRIPE_API_BASE"] == stack.url("provider-simulator")
            assert ingest["KAFKA_BOOTSTRAP_SERVERS"] == stack.bootstrap_servers
            assert ingest["TOPIC_PREFIX"] == stack.topic_prefix != ""
            assert ingest["DATABASE_URL"] == stack.database_url("webhook-ingest")
            assert ingest["PROVIDER_SIMULATOR_WEBHOOK_BASE_URL"] == (
                f"{stack.url('webhook-ingest')}/webhooks"
            )
            conn = await asyncpg.connect(
                stack.database_url("webhook-ingest").replace("+asyncpg", "")
            )
            await conn.close()

            stack.kill("webhook-ingest")
            assert not stack.process("webhook-ingest").is_running()
            await asyncio.to_thread(stack.restart, "webhook-ingest")
            again = await env_of(client, stack.url("webhook-ingest"))
            assert again["PID"] != ingest["PID"]
            assert again["STRIPE_API_KEY"] == ingest["STRIPE_API_KEY"]

            stack.restart("webhook-ingest")  # a plain call from async code works too
            await stack.restart_async("webhook-ingest")
            third = await env_of(client, stack.url("webhook-ingest"))
            assert len({ingest["PID"], again["PID"], third["PID"]}) == 3
        assert "fake service BETA_ listening" in stack.log_tail("webhook-ingest")
        with pytest.raises(DevstackError, match="no database"):
            stack.database_url("provider-simulator")
        with pytest.raises(DevstackError, match="without seeding"):
            _ = stack.api_key
        stack.kill("provider-simulator", signal.SIGTERM)
    finally:
        await stack.stop(grace=5)
        await stack.drop_databases()
    for name in ("provider-simulator", "webhook-ingest"):
        assert not port_is_open("127.0.0.1", plan.ports[name])
    assert not await database_exists(infra.postgres_dsn, database)


async def test_a_service_that_dies_fails_the_start_loudly(infra: Infra, tmp_path: Path) -> None:
    plan = session_plan(infra.postgres_dsn, services=(SIMULATOR, BROKEN))
    with pytest.raises(ProcessStartError, match=r"(?s)orchestrator exited with code 3.*boom"):
        await start_stack(plan, infra, tmp_path, base_env=fake_env(), seeder=None)
    assert not port_is_open("127.0.0.1", plan.ports["provider-simulator"])
    assert list((tmp_path / "pids").glob("*.pid")) == []
