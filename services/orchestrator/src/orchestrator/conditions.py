"""What routing knows of the providers: latest health, and success counts per minute.

Health comes from `provider.health` (the newest report per provider, by its
`at`); success counts are kept per provider and minute, written in the
transaction of the attempt results they count. Routing reads both through a
short-lived in-process cache: creating a payment is the hot path (decision
0003), so one process reads the two small tables at most once per `ttl_s`,
never once per payment.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.routing import Conditions, Health, SuccessWindow
from orchestrator.tables import provider_health, provider_outcomes
from payroute_common.messages import ProviderHealthChanged

WINDOW = timedelta(minutes=15)
KEPT = timedelta(hours=1)  # minutes older than this are deleted


@dataclass
class ConditionsCache:
    """The providers' conditions as last read, shared by a process's units of work."""

    ttl_s: float = 1.0
    health: dict[str, Health] = field(default_factory=dict)
    success: dict[str, SuccessWindow] = field(default_factory=dict)
    read_at: float | None = None  # monotonic seconds
    pruned_at: datetime | None = None

    def fresh(self) -> bool:
        return self.read_at is not None and time.monotonic() - self.read_at < self.ttl_s


def minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


class SqlProviderConditions:
    """Reads (through the cache) and stages writes of provider conditions for one unit of work."""

    def __init__(self, session: AsyncSession, cache: ConditionsCache) -> None:
        self._session = session
        self._cache = cache
        self._outcomes: Counter[tuple[str, datetime, bool]] = Counter()
        self._health: dict[str, ProviderHealthChanged] = {}

    async def conditions(self, now: datetime) -> Conditions:
        cache = self._cache
        if not cache.fresh():
            await self._read(now)
        return Conditions(today=now.date(), health=cache.health, success=cache.success)

    async def _read(self, now: datetime) -> None:
        h, o = provider_health, provider_outcomes
        health = {
            row.provider: row.health
            for row in await self._session.execute(select(h.c.provider, h.c.health))
        }
        totals = (
            select(o.c.provider, func.sum(o.c.attempts), func.sum(o.c.successes))
            .where(o.c.minute >= minute_of(now - WINDOW))
            .group_by(o.c.provider)
        )
        success = {
            provider: SuccessWindow(int(attempts), int(successes))
            for provider, attempts, successes in await self._session.execute(totals)
        }
        self._cache.health, self._cache.success = health, success
        self._cache.read_at = time.monotonic()

    def record_result(self, provider: str, succeeded: bool, at: datetime) -> None:
        """An attempt at `provider` was answered: `succeeded` when the provider took or
        held the money or asked the customer to act, not when it refused."""
        self._outcomes[(provider, minute_of(at), succeeded)] += 1

    def record_health(self, report: ProviderHealthChanged) -> None:
        seen = self._health.get(report.provider)
        if seen is None or report.at > seen.at:
            self._health[report.provider] = report

    async def flush(self) -> None:
        if not self._health and not self._outcomes:
            return
        connection = await self._session.connection()
        if self._health:
            rows = [_health_row(r) for _, r in sorted(self._health.items())]
            await connection.execute(_newer_health(), rows)
        if self._outcomes:
            await connection.execute(_counted(), _outcome_rows(self._outcomes))
            await self._prune(max(minute for _, minute, _ in self._outcomes))
        self._health, self._outcomes = {}, Counter()

    async def _prune(self, minute: datetime) -> None:
        if self._cache.pruned_at == minute:
            return
        o = provider_outcomes
        await self._session.execute(o.delete().where(o.c.minute < minute - KEPT))
        self._cache.pruned_at = minute


def _health_row(report: ProviderHealthChanged) -> dict[str, object]:
    return {
        "provider": report.provider,
        "health": report.health,
        "circuit": report.circuit,
        "reason": report.reason,
        "at": report.at,
    }


def _newer_health() -> Insert:
    statement = insert(provider_health)
    return statement.on_conflict_do_update(
        index_elements=[provider_health.c.provider],
        set_={c: statement.excluded[c] for c in ("health", "circuit", "reason", "at")},
        where=provider_health.c.at < statement.excluded.at,
    )


def _counted() -> Insert:
    statement = insert(provider_outcomes)
    o = provider_outcomes
    return statement.on_conflict_do_update(
        index_elements=[o.c.provider, o.c.minute],
        set_={
            "attempts": o.c.attempts + statement.excluded.attempts,
            "successes": o.c.successes + statement.excluded.successes,
        },
    )


def _outcome_rows(outcomes: Counter[tuple[str, datetime, bool]]) -> list[dict[str, object]]:
    """One row per provider and minute, in key order (upserts lock rows in one order)."""
    counts: dict[tuple[str, datetime], tuple[int, int]] = {}
    for (provider, minute, succeeded), count in sorted(outcomes.items()):
        attempts, successes = counts.get((provider, minute), (0, 0))
        counts[(provider, minute)] = (attempts + count, successes + (count if succeeded else 0))
    return [
        {"provider": provider, "minute": minute, "attempts": attempts, "successes": successes}
        for (provider, minute), (attempts, successes) in counts.items()
    ]
