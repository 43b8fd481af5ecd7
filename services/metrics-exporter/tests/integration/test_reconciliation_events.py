"""Reconciliation events on the real broker become metrics-exporter's reconciliation
metrics: the real consumer harness (lifespan, consumer group, inbox) over a real
Postgres and broker; the open-issues gauge survives a restart and a redelivered event
counts once."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from metrics_exporter.app import bootstrap
from metrics_exporter.config import Settings
from payroute_common.envelope import Envelope, Message
from payroute_common.messages import (
    ReconciliationIssueOpened,
    ReconciliationIssueResolved,
    ReconciliationRunCompleted,
)
from payroute_common.topics import RECONCILIATION_EVENTS, topic_name
from payroute_devstack.testing import Infra, migrated_database

from .conftest import MIGRATIONS

pytestmark = pytest.mark.integration

OPEN = 'payroute_reconciliation_issues_open{class="%s"}'
RUNS = 'payroute_reconciliation_runs_total{provider="paymongo",status="completed"}'
LINES = 'payroute_reconciliation_lines_total{class="%s",provider="paymongo"}'


@asynccontextmanager
async def exporter(settings: Settings) -> AsyncIterator[FastAPI]:
    """One metrics-exporter process: its consumer and its `/metrics`."""
    app = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield app


async def publish(settings: Settings, *envelopes: Envelope) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=False
    )
    await producer.start()
    try:
        topic = topic_name(RECONCILIATION_EVENTS, settings.topic_prefix)
        for envelope in envelopes:
            key = envelope.aggregate_id.encode()
            await producer.send_and_wait(topic, envelope.model_dump_json().encode(), key=key)
    finally:
        await producer.stop()


def wrapped(message: Message, run_id: str = "run_1") -> Envelope:
    return Envelope.wrap(
        message, producer="reconciliation", tenant_id="mch_platform", aggregate_id=run_id
    )


async def samples(app: FastAPI) -> dict[str, float]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://metrics") as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    found: dict[str, float] = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            found[name] = float(value)
    return found


async def shows(
    app: FastAPI, expected: Callable[[dict[str, float]], bool], timeout: float = 30.0
) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    while not expected(seen := await samples(app)):
        assert time.monotonic() < deadline, f"metrics never matched: {seen}"
        await asyncio.sleep(0.1)
    return seen


def opened(issue_id: str, issue_class: Any) -> ReconciliationIssueOpened:
    return ReconciliationIssueOpened(
        issue_id=issue_id, run_id="run_1", issue_class=issue_class, provider="paymongo"
    )


async def test_events_on_the_broker_feed_the_gauge_and_counters_durably(
    infra: Infra, database_url_factory: Any
) -> None:
    url = await migrated_database(database_url_factory, MIGRATIONS, "metrics_exporter")
    settings = Settings(
        database_url=url,
        KAFKA_BOOTSTRAP_SERVERS=infra.bootstrap_servers,
        TOPIC_PREFIX=f"t{uuid.uuid4().hex[:8]}.",
        cache_refresh_s=0.5,
    )
    completed = ReconciliationRunCompleted(
        run_id="run_1",
        provider="paymongo",
        settlement_date=date(2026, 11, 27),
        report_id="rpt_1",
        counts={"matched": 5, "amount_mismatch": 2, "duplicate": 1},
        lines=8,
        line_errors=1,
        duration_ms=40,
        open_issues={"amount_mismatch": 2, "duplicate": 1},
    )
    first = wrapped(opened("iss_1", "amount_mismatch"))
    events = [
        first,
        first,  # the same event delivered twice counts once
        wrapped(opened("iss_2", "amount_mismatch")),
        wrapped(opened("iss_3", "duplicate")),
        wrapped(completed),
    ]
    async with exporter(settings) as app:
        await publish(settings, *events)
        seen = await shows(app, lambda s: s.get(RUNS) == 1 and s[OPEN % "duplicate"] == 1)
        assert seen[OPEN % "amount_mismatch"] == 2
        assert (seen[LINES % "matched"], seen[LINES % "amount_mismatch"]) == (5, 2)

        resolved = ReconciliationIssueResolved(
            issue_id="iss_1",
            run_id="run_1",
            issue_class="amount_mismatch",
            provider="paymongo",
            status="resolved",
        )
        await publish(settings, wrapped(resolved))
        await shows(app, lambda s: s[OPEN % "amount_mismatch"] == 1)

    async with exporter(settings) as restarted:  # a new process over the same database
        seen = await shows(restarted, lambda s: s.get(RUNS) == 1)
        assert (seen[OPEN % "amount_mismatch"], seen[OPEN % "duplicate"]) == (1, 1)
        assert seen[OPEN % "fee_mismatch"] == 0
