"""`make bench-analytics`: /v1/analytics over a million payments' worth of buckets.

Makes a fresh gateway-api database on the local Postgres (PAYROUTE_POSTGRES_DSN),
creates 50 merchants with their keys and one admin key, and writes the hourly
and daily analytics buckets of 1,000,000 payments straight into their tables
(90 days, busier in the Philippine daytime; 4 providers, 7 methods, 3
currencies, only combinations the provider catalog takes; merchant sizes
skewed; ~90% succeeded, ~7% failed, the rest open). Then it times each API call
in-process (the production app over ASGI: auth, routing, query, encoding), for
the biggest merchant and platform-wide, JSON and CSV. Target: every call's p95
under 200 ms; exits 1 when one misses it.

    python -m payroute_bench.analytics [--payments N] [--repeat N] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from pydantic import SecretStr

from gateway_api import __main__ as gateway_main
from gateway_api.admin import api_keys
from gateway_api.analytics.facts import histogram_bucket
from gateway_api.analytics.tables import FIGURE_COLUMNS, HISTOGRAM_COLUMNS, PLATFORM
from gateway_api.app import build_app
from gateway_api.config import Settings
from gateway_api.tables import metadata
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_common.catalog import providers_for
from payroute_common.migrations import upgrade_to_head
from payroute_common.runtime import ServiceRuntime
from payroute_devstack.databases import create_database, drop_database, unique_database_name
from payroute_devstack.dsn import DEFAULT_POSTGRES_DSN, sqlalchemy_url, with_database

MIGRATIONS = Path(gateway_main.__file__).parent / "migrations"
TARGET_MS = 200.0
DAYS = 90
MERCHANTS = 50
END = datetime(2025, 6, 1, tzinfo=UTC)
PROVIDERS = ("stripe", "paymongo", "xendit", "manual")
CURRENCIES = {"PHP": 0.75, "USD": 0.15, "IDR": 0.10}
METHODS = {
    "card": 0.45,
    "gcash": 0.2,
    "maya": 0.1,
    "paymongo": 0.05,
    "bank_transfer": 0.1,
    "cash": 0.06,
    "cheque": 0.04,
}
FAILURES = {
    "stripe": ("card_declined", "insufficient_funds", "expired_card", "processing_error"),
    "paymongo": ("card_declined", "payment_expired", "processing_error"),
    "xendit": ("card_declined", "payment_expired", "provider_unavailable"),
    "manual": ("verification_rejected", "verification_expired"),
}
TYPICAL_MS = {"manual": 4 * 3_600_000.0, "paymongo": 45_000.0, "xendit": 30_000.0}
FIGURES = len(FIGURE_COLUMNS)
# Where each figure sits in a bucket row (the table's column order).
PAYMENTS, SUCCEEDED, FAILED, VOLUME, PROVIDER_FEES, PLATFORM_FEES, NET = range(7)
PROCESSING_MS, PROCESSED = (
    FIGURE_COLUMNS.index("processing_ms_sum"),
    FIGURE_COLUMNS.index("processed"),
)
HISTOGRAM = FIGURE_COLUMNS.index(HISTOGRAM_COLUMNS[0])


def combinations() -> tuple[list[tuple[str, str, str]], list[float]]:
    """(provider, method, currency) the catalog takes among PROVIDERS, with their weights."""
    combos, weights = [], []
    for method, method_weight in METHODS.items():
        for currency, currency_weight in CURRENCIES.items():
            providers = [p for p in providers_for(method, currency) if p in PROVIDERS]  # type: ignore[arg-type]
            for provider in providers:
                combos.append((provider, method, currency))
                weights.append(method_weight * currency_weight / len(providers))
    return combos, weights


def hours() -> tuple[list[datetime], list[float]]:
    """Every hour of the 90 days, weighted by the time of day in Manila (UTC+8)."""
    start = END - timedelta(days=DAYS)
    slots = [start + timedelta(hours=h) for h in range(DAYS * 24)]
    weights = [0.2 if (slot.hour + 8) % 24 < 7 else 1.0 for slot in slots]
    return slots, weights


Hourly = dict[Any, list[int]]  # (merchant, hour, provider, method, currency) → figures
Failures = dict[Any, int]  # (merchant, hour, provider, reason) → count
Call = tuple[str, str, dict[str, str], dict[str, str]]  # name, path, headers, query


def buckets(payments: int, merchant_ids: list[str], seed: int = 7) -> tuple[Hourly, Failures]:
    """Hourly figures and failure counts of `payments` random payments."""
    rng = random.Random(seed)
    combos, combo_weights = combinations()
    slots, slot_weights = hours()
    merchant_weights = [1 / (rank + 1) for rank in range(len(merchant_ids))]
    figures: defaultdict[Any, list[int]] = defaultdict(lambda: [0] * FIGURES)
    failures: defaultdict[Any, int] = defaultdict(int)
    picks = zip(
        rng.choices(merchant_ids, merchant_weights, k=payments),
        rng.choices(slots, slot_weights, k=payments),
        rng.choices(combos, combo_weights, k=payments),
        strict=True,
    )
    for merchant_id, hour, (provider, method, currency) in picks:
        row = figures[(merchant_id, hour, provider, method, currency)]
        row[PAYMENTS] += 1
        roll = rng.random()
        if roll > 0.97:  # still open
            continue
        elapsed = int(rng.lognormvariate(0, 0.8) * TYPICAL_MS.get(provider, 1_800.0))
        row[PROCESSING_MS] += elapsed
        row[PROCESSED] += 1
        row[HISTOGRAM + histogram_bucket(elapsed)] += 1
        if roll > 0.90:
            row[FAILED] += 1
            failures[(merchant_id, hour, provider, rng.choice(FAILURES[provider]))] += 1
            continue
        amount = int(rng.lognormvariate(8.5, 1.0)) * (100 if currency == "IDR" else 1)
        provider_fee, platform_fee = amount * 29 // 1000 + 15, amount // 200
        row[SUCCEEDED] += 1
        row[VOLUME] += amount
        row[PROVIDER_FEES] += provider_fee
        row[PLATFORM_FEES] += platform_fee
        row[NET] += amount - provider_fee - platform_fee
    return figures, failures


def _add(seen: Any, value: Any) -> Any:
    if isinstance(value, list):
        return [a + b for a, b in zip(seen, value, strict=True)] if seen else list(value)
    return (seen or 0) + value


def rolled_up(hourly: dict[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows the projection would write: each hour and its day (UTC), for the
    merchant and for the platform (`PLATFORM`)."""
    summed: dict[Any, Any] = {}
    for (merchant_id, hour, *dimensions), value in hourly.items():
        for merchant in (merchant_id, PLATFORM):
            for grain, start in (("hour", hour), ("day", hour.replace(hour=0))):
                key = (merchant, grain, start, *dimensions)
                summed[key] = _add(summed.get(key), value)
    return [(*key, value) for key, value in summed.items()]


async def seed(dsn: str, merchant_ids: list[str], payments: int) -> tuple[int, int]:
    figures, failures = buckets(payments, merchant_ids)
    payment_rows = [(*key, *value) for *key, value in rolled_up(figures)]
    failure_rows = rolled_up(failures)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table(
            "analytics_payment_buckets",
            records=payment_rows,
            columns=[
                "merchant_id",
                "grain",
                "period_start",
                "provider",
                "method",
                "currency",
                *FIGURE_COLUMNS,
            ],
        )
        await connection.copy_records_to_table(
            "analytics_failure_buckets",
            records=failure_rows,
            columns=["merchant_id", "grain", "period_start", "provider", "reason", "failures"],
        )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
    return len(payment_rows), len(failure_rows)


async def merchants(runtime: ServiceRuntime) -> tuple[list[tuple[str, str]], str]:
    """50 merchants (id, secret key) and one admin key."""
    created = []
    async with runtime.unit_of_work(GatewayUnitOfWork) as uow:
        for n in range(MERCHANTS):
            merchant, issued = await api_keys.create_merchant(f"Bench {n}", "starter", uow=uow)
            created.append((merchant.id, issued.secret))
        admin = await api_keys.create_api_key(created[0][0], "admin", uow=uow)
    return created, admin.secret


def calls(merchant_key: str, admin_key: str) -> list[Call]:
    """The biggest merchant's and the platform's questions over the 90 days."""
    first, last = END - timedelta(days=DAYS), END - timedelta(days=1)
    whole = {"from": f"{first:%Y-%m-%d}", "to": f"{last:%Y-%m-%d}"}
    # Manila's days: every range edge falls mid-day in UTC, so hour rows are read too.
    edges = {"from": f"{first:%Y-%m-%d}T00:00:00+08:00", "to": f"{END:%Y-%m-%d}T00:00:00+08:00"}
    payments, failures = "/v1/analytics/payments", "/v1/analytics/failures"
    listed: list[Call] = []
    for who, key in (("merchant", merchant_key), ("admin", admin_key)):
        headers = {"Authorization": f"Bearer {key}"}
        for group_by in ("provider", "method", "currency", "day"):
            query = {**whole, "group_by": group_by}
            listed.append((f"{who} payments by {group_by}", payments, headers, query))
        query = {**edges, "group_by": "method"}
        listed.append((f"{who} payments by method, Manila days", payments, headers, query))
        query = {**whole, "group_by": "day", "format": "csv"}
        listed.append((f"{who} payments by day, CSV", payments, headers, query))
        listed.append((f"{who} failures", failures, headers, whole))
    return listed


def rows_in(response: httpx.Response) -> int:
    if response.headers["content-type"].startswith("text/csv"):
        return response.text.count("\n") - 1
    return len(response.json()["data"])


async def time_calls(
    runtime: ServiceRuntime, settings: Settings, keys: tuple[str, str], repeat: int
) -> bool:
    """Each call `repeat` times after one warm-up; prints median, p95 and max."""
    app = build_app(runtime, settings)
    transport = httpx.ASGITransport(app=app)
    met = True
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        print(f"{'call':44} {'rows':>5} {'median':>8} {'p95':>8} {'max':>8}  (ms)")
        for name, path, headers, query in calls(*keys):
            took = []
            for _ in range(repeat + 1):
                started = time.perf_counter()
                response = await client.get(path, params=query, headers=headers)
                took.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
            took = sorted(took[1:])  # the first call warms the connection and plans
            p95 = took[min(len(took) - 1, int(0.95 * len(took)))]
            median = statistics.median(took)
            print(f"{name:44} {rows_in(response):>5} {median:8.1f} {p95:8.1f} {took[-1]:8.1f}")
            met = met and p95 < TARGET_MS
    return met


async def bench(dsn: str, name: str, payments: int, repeat: int) -> int:
    url = sqlalchemy_url(dsn, name)
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    settings = Settings(database_url=SecretStr(url))
    runtime = ServiceRuntime(settings, metadata)
    try:
        created, admin_key = await merchants(runtime)
        started = time.perf_counter()
        bucket_rows, failure_rows = await seed(
            with_database(dsn, name), [m for m, _ in created], payments
        )
        seconds = time.perf_counter() - started
        print(
            f"seeded {payments:,} payments over {DAYS} days, {MERCHANTS} merchants: "
            f"{bucket_rows:,} bucket rows, {failure_rows:,} failure rows ({seconds:.1f} s)"
        )
        met = await time_calls(runtime, settings, (created[0][1], admin_key), repeat)
    finally:
        await runtime.engine.dispose()
    print(f"target: p95 < {TARGET_MS:.0f} ms per call: {'met' if met else 'MISSED'}")
    return 0 if met else 1


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench-analytics")
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed calls per query")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    dsn = os.environ.get("PAYROUTE_POSTGRES_DSN") or DEFAULT_POSTGRES_DSN
    name = unique_database_name("bench_analytics")
    asyncio.run(create_database(dsn, name))
    try:
        return asyncio.run(bench(dsn, name, args.payments, args.repeat))
    finally:
        if not args.keep:
            asyncio.run(drop_database(dsn, name))


if __name__ == "__main__":
    sys.exit(main())
