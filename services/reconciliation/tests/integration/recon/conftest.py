"""Reconciliation's reports, runs and issues over a real, migrated Postgres, through its
HTTP API with an admin key. Each test makes its own references (and providers' ledger
rows), so tests share one database; schedule tests take a fresh one."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import insert

from payroute_common.clock import utcnow
from payroute_common.consumer import Received
from payroute_common.messages import ApiKeyIssued
from payroute_common.runtime import ServiceRuntime
from payroute_devstack.batches import received
from payroute_devstack.testing import migrated_database
from reconciliation import __main__ as main_module
from reconciliation import auth, consumers
from reconciliation.access import hash_secret
from reconciliation.api import issues_router, reports_router, runs_router
from reconciliation.api.deps import ApiContext
from reconciliation.config import Settings
from reconciliation.runs.executor import RunExecutor
from reconciliation.store import ReconciliationUnitOfWork
from reconciliation.tables import (
    late_successes,
    ledger_entries,
    ledger_movements,
    ledger_refunds,
    metadata,
)

MIGRATIONS = Path(main_module.__file__).parent / "migrations"
ADMIN_KEY = "sk_" + secrets.token_urlsafe(32)
MERCHANT_KEY = "sk_" + secrets.token_urlsafe(32)
HEADER = (
    "balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,"
    "reporting_category,source_id,payment_id,provider\n"
)


@dataclass
class Service:
    runtime: ServiceRuntime
    app: FastAPI
    settings: Settings

    def unit_of_work(self) -> ReconciliationUnitOfWork:
        return self.runtime.unit_of_work(ReconciliationUnitOfWork)

    async def consume(self, batch: list[Received]) -> None:
        """Hand `batch` to the service's consumer, as the broker would."""
        await consumers.dispatcher(self.unit_of_work)(batch)

    async def seed(self, table: Any, rows: list[dict[str, Any]]) -> None:
        async with self.runtime.engine.begin() as connection:
            await connection.execute(insert(table), rows)


async def start_service(url: str, **settings: Any) -> Service:
    config = Settings(database_url=url, schedule_enabled=False, **settings)
    runtime = ServiceRuntime(config, metadata)
    service = Service(runtime, runtime.create_app(), config)
    auth.install(service.app)
    context = ApiContext(service.unit_of_work, config, RunExecutor(service.unit_of_work))
    for router in (reports_router, runs_router, issues_router):
        service.app.include_router(router(context))
    keys = [("key_admin", "admin", ADMIN_KEY), ("key_merchant", "merchant", MERCHANT_KEY)]
    for key_id, role, secret in keys:
        issued = ApiKeyIssued(
            key_id=key_id,
            merchant_id="mch_platform",
            role=role,
            key_hash=hash_secret(secret),
            created_at=utcnow(),
        )
        await service.consume(received(issued))
    return service


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def recon(database_url_factory: Any) -> AsyncIterator[Service]:
    url = await migrated_database(database_url_factory, MIGRATIONS, "recon")
    service = await start_service(url, max_report_bytes=64 * 1024)
    yield service
    await service.runtime.engine.dispose()


@pytest.fixture
def fresh_database(database_url_factory: Any) -> Callable[[], Any]:
    async def make() -> str:
        return await migrated_database(database_url_factory, MIGRATIONS, "recon_fresh")

    return make


def client_for(app: FastAPI, key: str | None = ADMIN_KEY) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://recon", headers=headers)


@pytest_asyncio.fixture(loop_scope="session")
async def client(recon: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(recon.app) as http:
        yield http


def tag() -> str:
    """A prefix that keeps one test's references apart from another's."""
    return secrets.token_hex(4)


def stripe_line(
    txn: str,
    source: str,
    gross: str,
    fee: str = "0.00",
    *,
    category: str = "charge",
    currency: str = "usd",
    at: str = "2026-12-01 10:00:00",
    payment_id: str = "",
) -> str:
    return f"{txn},{at},{at},{currency},{gross},{fee},0,{category},{source},{payment_id},stripe\n"


def capture(
    payment_id: str, reference: str, amount: int, fee: int, at: datetime, provider: str = "stripe"
) -> dict[str, Any]:
    return {
        "kind": "capture",
        "source_id": payment_id,
        "payment_id": payment_id,
        "merchant_id": "mch_1",
        "provider": provider,
        "provider_reference": reference,
        "amount": amount,
        "currency": "USD",
        "provider_fee": fee,
        "platform_fee": 0,
        "occurred_at": at,
    }


def entry(payment_id: str, reference: str, status: str, at: datetime) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "merchant_id": "mch_1",
        "provider": "stripe",
        "provider_reference": reference,
        "status": status,
        "amount": 1000,
        "amount_captured": 1000 if status == "captured" else 0,
        "amount_refunded": 0,
        "currency": "USD",
        "version": 1,
        "created_at": at,
        "updated_at": at,
        "captured_at": at if status == "captured" else None,
    }


def refund(
    refund_id: str, payment_id: str, reference: str, amount: int, status: str, at: datetime
) -> dict[str, Any]:
    return {
        "refund_id": refund_id,
        "payment_id": payment_id,
        "provider": "stripe",
        "provider_reference": reference,
        "amount": amount,
        "currency": "USD",
        "status": status,
        "updated_at": at,
        "settled_at": at if status == "succeeded" else None,
    }


def late_success(
    attempt_id: str, payment_id: str, reference: str, amount: int, status: str
) -> dict[str, Any]:
    return {
        "attempt_id": attempt_id,
        "payment_id": payment_id,
        "provider": "stripe",
        "provider_reference": reference,
        "amount": amount,
        "currency": "USD",
        "reversal": "refund",
        "operation_id": f"op_{attempt_id}",
        "status": status,
    }


__all__ = [
    "HEADER",
    "MERCHANT_KEY",
    "Service",
    "a_day",
    "capture",
    "client_for",
    "entry",
    "late_success",
    "late_successes",
    "ledger_entries",
    "ledger_movements",
    "ledger_refunds",
    "refund",
    "stripe_line",
    "tag",
]


_days_taken: set[int] = set()


def a_day() -> datetime:
    """A settlement day no other test uses (runs see the whole ledger of a day)."""
    while True:
        offset = secrets.randbelow(20_000)
        if offset not in _days_taken:
            _days_taken.add(offset)
            return datetime(2030, 1, 1, 10, tzinfo=UTC) + timedelta(days=offset)
