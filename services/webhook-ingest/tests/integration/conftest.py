"""webhook-ingest over a real, freshly migrated Postgres database (no broker needed).

The app is wired as app.py wires it (runtime app + webhook router + SQL store,
group-commit writer) but its lifespan is not run: nothing connects to
Kafka and the outbox relay does not run, so staged messages stay in the outbox
table to be read. The fixture runs the writer itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import text

from payroute_common.runtime import ServiceRuntime
from payroute_devstack.testing import migrated_database
from webhook_ingest import __main__ as main_module
from webhook_ingest.api import EdgePolicy, webhook_endpoint, webhook_router
from webhook_ingest.config import Settings
from webhook_ingest.group_commit import GroupCommitWriter
from webhook_ingest.providers import build_providers
from webhook_ingest.rate_limit import TokenBuckets
from webhook_ingest.sources import Allowlist
from webhook_ingest.store import SqlWebhookStore
from webhook_ingest.tables import metadata, outbox

SECRET = "whsec_integration"
PAYMONGO_SECRET = "whsk_integration_paymongo_secret"
XENDIT_TOKEN = "xnd_callback_token_integration"
MIGRATIONS = Path(main_module.__file__).parent / "migrations"


@dataclass
class Ingest:
    runtime: ServiceRuntime
    app: FastAPI
    store: SqlWebhookStore
    writer: GroupCommitWriter

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.runtime.engine.connect() as connection:
            return list(await connection.execute(text(sql), params))


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def ingest(database_url_factory: Any) -> AsyncIterator[Ingest]:
    url = await migrated_database(database_url_factory, MIGRATIONS, "webhook_ingest")
    settings = Settings(
        database_url=url,
        STRIPE_WEBHOOK_SECRET=SECRET,
        PAYMONGO_WEBHOOK_SECRET=PAYMONGO_SECRET,
        XENDIT_CALLBACK_TOKEN=XENDIT_TOKEN,
        max_body_bytes=4096,
        rejected_body_max_bytes=1024,
    )
    runtime = ServiceRuntime(settings, metadata)

    store = SqlWebhookStore(
        runtime.engine,
        outbox_table=outbox.name,
        topic_prefix=settings.topic_prefix,
        after_commit=runtime.wake_outbox_relay,
    )
    writer = GroupCommitWriter(store)
    policy = EdgePolicy(
        4096,
        TokenBuckets(1e6, 10**6, max_sources=100),
        Allowlist({}),
        unverified_body_bytes=settings.rejected_body_max_bytes,
    )
    app = runtime.create_app()
    app.include_router(
        webhook_router(webhook_endpoint(build_providers(settings), writer, policy=policy))
    )
    task = asyncio.create_task(writer.run())
    await asyncio.sleep(0)
    yield Ingest(runtime, app, store, writer)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await runtime.engine.dispose()


@pytest.fixture
async def client(ingest: Ingest) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=ingest.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
        yield http
