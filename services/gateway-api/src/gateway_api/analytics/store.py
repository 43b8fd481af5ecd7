"""The projection's writes: payment facts and bucket increments, in the caller's transaction.

At most four statements per batch whatever its size: lock the batch's facts,
upsert the changed facts, add to the buckets (one upsert per table). A change
goes to four bucket rows: its hour and its day, for its merchant and for the
platform. Rows are sorted by key so that two transactions adding to the same
buckets lock them in the same order and cannot deadlock; the caller writes them
last, just before it commits, so the platform's rows are held only that long.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_api.analytics.facts import BucketKey, FailureKey, Figures, PaymentFact
from gateway_api.analytics.projection import Changes
from gateway_api.analytics.tables import (
    FIGURE_COLUMNS,
    HISTOGRAM_COLUMNS,
    PLATFORM,
    analytics_failure_buckets,
    analytics_payment_buckets,
    analytics_payment_facts,
)

FACT_COLUMNS = tuple(c.name for c in analytics_payment_facts.c)


def periods(merchant_id: str, hour: datetime) -> list[tuple[str, str, datetime]]:
    """The buckets an hour's figures go to: that hour and its day (UTC), for the
    merchant and for the platform."""
    return [
        (merchant, grain, start)
        for merchant in (merchant_id, PLATFORM)
        for grain, start in (("hour", hour), ("day", hour.replace(hour=0)))
    ]


def bucket_rows(buckets: dict[BucketKey, Figures]) -> list[dict[str, Any]]:
    """One row per (grain, period, dimensions), hours of one day summed into its day row."""
    summed: defaultdict[tuple[Any, ...], Figures] = defaultdict(Figures)
    for key, figures in buckets.items():
        for merchant_id, grain, start in periods(key.merchant_id, key.hour):
            dimensions = (merchant_id, grain, start, key.provider, key.method, key.currency)
            summed[dimensions] += figures
    rows = []
    for dimensions, figures in sorted(summed.items()):
        merchant_id, grain, start, provider, method, currency = dimensions
        values = asdict(figures)
        values.update(zip(HISTOGRAM_COLUMNS, values.pop("histogram"), strict=True))
        rows.append(
            {
                "merchant_id": merchant_id,
                "grain": grain,
                "period_start": start,
                "provider": provider,
                "method": method,
                "currency": currency,
                **values,
            }
        )
    return rows


def failure_rows(failures: dict[FailureKey, int]) -> list[dict[str, Any]]:
    summed: defaultdict[tuple[Any, ...], int] = defaultdict(int)
    for key, count in failures.items():
        for merchant_id, grain, start in periods(key.merchant_id, key.hour):
            summed[(merchant_id, grain, start, key.provider, key.reason)] += count
    names = ("merchant_id", "grain", "period_start", "provider", "reason")
    return [
        {**dict(zip(names, dimensions, strict=True)), "failures": count}
        for dimensions, count in sorted(summed.items())
        if count
    ]


def fact_from_row(row: Any) -> PaymentFact:
    return PaymentFact(**{name: row[name] for name in FACT_COLUMNS})


class SqlAnalyticsStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def facts_for_update(self, payment_ids: Sequence[str]) -> dict[str, PaymentFact]:
        """The stored facts of `payment_ids`, locked until the transaction ends."""
        t = analytics_payment_facts
        query = (
            select(t).where(t.c.payment_id.in_(list(payment_ids))).order_by(t.c.payment_id)
        ).with_for_update()
        result = await (await self._session.connection()).execute(query)
        return {row["payment_id"]: fact_from_row(row) for row in result.mappings()}

    async def save(self, changes: Changes) -> None:
        connection = await self._session.connection()
        facts = insert(analytics_payment_facts)
        facts = facts.on_conflict_do_update(
            index_elements=[analytics_payment_facts.c.payment_id],
            set_={name: facts.excluded[name] for name in FACT_COLUMNS if name != "payment_id"},
        )
        await connection.execute(facts, [asdict(f) for f in changes.facts])
        if rows := bucket_rows(changes.buckets):
            await connection.execute(_adding(analytics_payment_buckets, FIGURE_COLUMNS), rows)
        if rows := failure_rows(changes.failures):
            await connection.execute(_adding(analytics_failure_buckets, ("failures",)), rows)


def _adding(table: Table, columns: Iterable[str]) -> Any:
    """INSERT the rows, or add their figures to the existing ones."""
    statement = insert(table)
    keys = list(table.primary_key.columns)
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + statement.excluded[name] for name in columns},
    )
