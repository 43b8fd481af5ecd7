"""The analytics reads: one aggregate query over the buckets per request.

A range is read as whole-day rows plus hour rows at its edges
(`params.covering_periods`), for one merchant or for the platform's own rows
(`tables.PLATFORM`), by the primary key's prefix. No payment row is read, and
no merchant's rows are added up at request time. Sums are cast back to BIGINT
so that no value goes through Python's Decimal.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import BigInteger, ColumnElement, Select, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway_api.analytics.facts import Figures
from gateway_api.analytics.params import GroupBy, TimeRange, covering_periods
from gateway_api.analytics.report import FailureRow, GroupFigures
from gateway_api.analytics.tables import (
    FIGURE_COLUMNS,
    HISTOGRAM_COLUMNS,
    PLATFORM,
    analytics_failure_buckets,
    analytics_payment_buckets,
)


class AnalyticsReader(Protocol):
    async def payments(
        self, merchant_id: str | None, span: TimeRange, group_by: GroupBy
    ) -> list[GroupFigures]: ...

    async def failures(self, merchant_id: str | None, span: TimeRange) -> list[FailureRow]: ...


def _within(table: Any, merchant_id: str | None, span: TimeRange) -> ColumnElement[bool]:
    """Rows of `merchant_id` (None: the platform's) covering `span` exactly once."""
    pieces = [
        and_(table.c.grain == grain, table.c.period_start >= start, table.c.period_start < end)
        for grain, start, end in covering_periods(span)
    ]
    return and_(table.c.merchant_id == (merchant_id or PLATFORM), or_(*pieces))


def _sum(column: Any) -> ColumnElement[int]:
    return cast(func.sum(column), BigInteger)


def _group_column(group_by: GroupBy) -> ColumnElement[str]:
    t = analytics_payment_buckets
    if group_by == "day":
        return func.to_char(func.timezone("UTC", t.c.period_start), "YYYY-MM-DD")
    column: ColumnElement[str] = t.c[group_by]
    return column


def payments_query(merchant_id: str | None, span: TimeRange, group_by: GroupBy) -> Select[Any]:
    t = analytics_payment_buckets
    group = _group_column(group_by).label("group")
    sums = [_sum(t.c[name]).label(name) for name in FIGURE_COLUMNS]
    return (
        select(group, t.c.currency, *sums)
        .where(_within(t, merchant_id, span))
        .group_by(group, t.c.currency)
        .having(func.sum(t.c.payments) > 0)
        .order_by(group, t.c.currency)
    )


def failures_query(merchant_id: str | None, span: TimeRange) -> Select[Any]:
    t = analytics_failure_buckets
    count = _sum(t.c.failures).label("count")
    return (
        select(t.c.provider, t.c.reason, count)
        .where(_within(t, merchant_id, span))
        .group_by(t.c.provider, t.c.reason)
        .having(func.sum(t.c.failures) > 0)
        .order_by(t.c.provider, count.desc(), t.c.reason)
    )


_PLAIN = tuple(n for n in FIGURE_COLUMNS if n not in HISTOGRAM_COLUMNS)


def _figures(row: Any) -> Figures:
    return Figures(
        **{n: row[n] for n in _PLAIN}, histogram=tuple(row[n] for n in HISTOGRAM_COLUMNS)
    )


class SqlAnalyticsReader:
    """Reads on their own pooled connection: no transaction is held beyond the query."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def payments(
        self, merchant_id: str | None, span: TimeRange, group_by: GroupBy
    ) -> list[GroupFigures]:
        async with self._engine.connect() as connection:
            result = await connection.execute(payments_query(merchant_id, span, group_by))
            rows = list(result.mappings())
        return [GroupFigures(row["group"], row["currency"], _figures(row)) for row in rows]

    async def failures(self, merchant_id: str | None, span: TimeRange) -> list[FailureRow]:
        async with self._engine.connect() as connection:
            result = await connection.execute(failures_query(merchant_id, span))
            rows = list(result.mappings())
        return [FailureRow(row["provider"], row["reason"], row["count"]) for row in rows]
