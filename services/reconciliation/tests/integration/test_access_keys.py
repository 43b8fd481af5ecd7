"""Keys announced on the real broker's `access.keys` open reconciliation's API; their
revocation closes it. The service runs its real consumer harness (lifespan, consumer
group, inbox) over a real Postgres and broker."""

import asyncio
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from payroute_common.clock import utcnow
from payroute_common.envelope import Envelope, Message
from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked
from payroute_common.topics import ACCESS_KEYS, topic_name
from payroute_devstack.testing import Infra, migrated_database
from reconciliation.access import hash_secret
from reconciliation.app import bootstrap
from reconciliation.config import Settings

from .conftest import MIGRATIONS

pytestmark = pytest.mark.integration


@dataclass
class Running:
    app: FastAPI
    settings: Settings

    async def announce(self, message: Message, key_id: str) -> None:
        envelope = Envelope.wrap(
            message, producer="gateway-api", tenant_id="mch_platform", aggregate_id=key_id
        )
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, enable_idempotence=False
        )
        await producer.start()
        try:
            topic = topic_name(ACCESS_KEYS, self.settings.topic_prefix)
            await producer.send_and_wait(
                topic, envelope.model_dump_json().encode(), key=key_id.encode()
            )
        finally:
            await producer.stop()

    async def status_with(self, key: str) -> int:
        transport = httpx.ASGITransport(app=self.app)
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://r") as client:
            return (await client.get("/v1/ledger/pay_none", headers=headers)).status_code


@pytest_asyncio.fixture(loop_scope="session")
async def running(infra: Infra, database_url_factory: Any) -> AsyncIterator[Running]:
    url = await migrated_database(database_url_factory, MIGRATIONS, "reconciliation")
    settings = Settings(
        database_url=url,
        KAFKA_BOOTSTRAP_SERVERS=infra.bootstrap_servers,
        TOPIC_PREFIX=f"t{uuid.uuid4().hex[:8]}.",
        schedule_enabled=False,
    )
    app = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield Running(app, settings)


async def becomes(running: Running, key: str, status: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while (seen := await running.status_with(key)) != status:
        assert time.monotonic() < deadline, f"still {seen}, not {status}, after {timeout} s"
        await asyncio.sleep(0.1)


async def test_an_issued_admin_key_works_until_it_is_revoked(running: Running) -> None:
    secret = "sk_" + secrets.token_urlsafe(32)
    key_id = f"key_{uuid.uuid4().hex[:12]}"
    assert await running.status_with(secret) == 401

    issued = ApiKeyIssued(
        key_id=key_id,
        merchant_id="mch_platform",
        role="admin",
        key_hash=hash_secret(secret),
        created_at=utcnow(),
    )
    await running.announce(issued, key_id)
    await becomes(running, secret, 404)  # past the key check: no such ledger entry

    revoked = ApiKeyRevoked(key_id=key_id, merchant_id="mch_platform", revoked_at=utcnow())
    await running.announce(revoked, key_id)
    await becomes(running, secret, 401)


async def test_a_merchant_key_from_the_topic_is_refused_with_403(running: Running) -> None:
    secret = "sk_" + secrets.token_urlsafe(32)
    key_id = f"key_{uuid.uuid4().hex[:12]}"
    issued = ApiKeyIssued(
        key_id=key_id,
        merchant_id="mch_1",
        role="merchant",
        key_hash=hash_secret(secret),
        created_at=utcnow(),
    )
    await running.announce(issued, key_id)
    await becomes(running, secret, 403)
