"""Durable counters in Postgres, and metrics-exporter's unit of work (counters + inbox)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, Self

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from metrics_exporter.metrics import CounterKey
from metrics_exporter.tables import counted_outcomes, counters
from payroute_common.uow import UnitOfWork, UnitOfWorkInterface


class CounterRepository(Protocol):
    async def load_all(self) -> dict[CounterKey, int]: ...
    async def add(self, deltas: Mapping[CounterKey, int]) -> None: ...

    async def claim_once(self, keys: Iterable[str]) -> set[str]:
        """Mark `keys` counted; returns those not counted before."""


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    @property
    def counters(self) -> CounterRepository: ...


class SqlCounterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load_all(self) -> dict[CounterKey, int]:
        rows = await self._session.execute(
            select(counters.c.name, counters.c.labels, counters.c.value)
        )
        return {(name, labels): value for name, labels, value in rows}

    async def add(self, deltas: Mapping[CounterKey, int]) -> None:
        """One statement for the batch; sorted, so replicas lock rows in the same order."""
        if not deltas:
            return
        rows = [
            {"name": name, "labels": labels, "value": value}
            for (name, labels), value in sorted(deltas.items())
        ]
        statement = insert(counters)  # executemany: compiled once, cached
        statement = statement.on_conflict_do_update(
            index_elements=[counters.c.name, counters.c.labels],
            set_={"value": counters.c.value + statement.excluded.value},
        )
        await (await self._session.connection()).execute(statement, rows)

    async def claim_once(self, keys: Iterable[str]) -> set[str]:
        wanted = sorted(set(keys))
        if not wanted:
            return set()
        statement = (
            insert(counted_outcomes).on_conflict_do_nothing().returning(counted_outcomes.c.key)
        )
        rows = [{"key": key} for key in wanted]
        return set((await (await self._session.connection()).execute(statement, rows)).scalars())


class MetricsUnitOfWork(UnitOfWork):
    counters: SqlCounterRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.counters = SqlCounterRepository(self.session)
        return self
