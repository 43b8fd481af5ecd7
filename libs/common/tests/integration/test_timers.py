"""Durable timers against a real Postgres: fired once across pollers, kept across restarts."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import Column, MetaData, Table, Text, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from payroute_common.clock import utcnow
from payroute_common.db import make_engine, make_session_factory, new_metadata
from payroute_common.timers import Timer, TimerPoller, define_timers, schedule
from payroute_common.uow import UnitOfWork

pytestmark = pytest.mark.integration

metadata: MetaData = new_metadata()
timers = define_timers(metadata)
fired = Table("fired", metadata, Column("aggregate_id", Text, nullable=False))


@pytest_asyncio.fixture
async def database(database_url_factory: Any) -> AsyncIterator[str]:
    url = database_url_factory("timers")
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()
    yield url


def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> UnitOfWork:
    return UnitOfWork(
        sessions, outbox_table=None, inbox_table=None, topic_prefix="", after_commit=lambda: None
    )


async def record(due: Sequence[Timer], uow: UnitOfWork) -> None:
    """The effect, written in the same transaction as the timers' deletion."""
    await uow.session.execute(fired.insert(), [{"aggregate_id": t.aggregate_id} for t in due])
    await asyncio.sleep(0.01)  # hold the claim a moment, so the other poller competes


def poller(engine: AsyncEngine, handle: Any = record, batch_size: int = 5) -> TimerPoller[Any]:
    sessions = make_session_factory(engine)
    return TimerPoller(
        lambda: unit_of_work(sessions), timers, handle, batch_size=batch_size, retry_base_s=60
    )


async def add(engine: AsyncEngine, *items: Timer) -> None:
    async with make_session_factory(engine)() as session:
        await schedule(session, timers, items)
        await session.commit()


async def count(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def test_two_pollers_fire_each_due_timer_exactly_once(database: str) -> None:
    engine = make_engine(database)
    past = utcnow() - timedelta(seconds=1)
    await add(engine, *(Timer("ping", f"agg_{i}", past) for i in range(40)))
    await add(engine, Timer("ping", "agg_future", utcnow() + timedelta(hours=1)))
    first, second = poller(engine), poller(engine)

    async def drain(p: TimerPoller[Any]) -> None:
        while await p.fire_due():
            pass

    await asyncio.gather(drain(first), drain(second))
    async with engine.connect() as connection:
        done = list(await connection.scalars(select(fired.c.aggregate_id)))
    assert sorted(done) == sorted(f"agg_{i}" for i in range(40))
    assert await count(engine, timers) == 1  # the one not due yet
    await engine.dispose()


async def test_timers_survive_a_restart(database: str) -> None:
    engine = make_engine(database)
    await add(engine, Timer("expire", "agg_1", utcnow() + timedelta(milliseconds=300), {"n": 1}))
    assert await poller(engine).fire_due() == 0
    await engine.dispose()  # the process goes away

    engine = make_engine(database)  # a new one starts
    seen: list[Timer] = []

    async def keep(due: Sequence[Timer], uow: UnitOfWork) -> None:
        seen.extend(due)

    deadline = asyncio.get_running_loop().time() + 30
    while not seen:
        assert asyncio.get_running_loop().time() < deadline, "the timer never fired"
        await poller(engine, keep).fire_due()
        await asyncio.sleep(0.1)
    assert [(t.kind, t.aggregate_id, t.payload) for t in seen] == [("expire", "agg_1", {"n": 1})]
    assert await count(engine, timers) == 0
    await engine.dispose()


async def test_a_failing_timer_is_postponed_and_does_not_hold_back_the_others(
    database: str,
) -> None:
    engine = make_engine(database)
    past = utcnow() - timedelta(seconds=1)
    await add(engine, Timer("ping", "bad", past), Timer("ping", "good", past))

    async def picky(due: Sequence[Timer], uow: UnitOfWork) -> None:
        if any(t.aggregate_id == "bad" for t in due):
            raise RuntimeError("boom")
        await record(due, uow)

    assert await poller(engine, picky).fire_due() == 2
    async with engine.connect() as connection:
        assert list(await connection.scalars(select(fired.c.aggregate_id))) == ["good"]
        left = (await connection.execute(select(timers))).one()
    assert (left.aggregate_id, left.attempts) == ("bad", 1)
    assert left.due_at > utcnow()
    assert await poller(engine, picky).fire_due() == 0  # not due again yet
    await engine.dispose()


async def test_a_timer_scheduled_in_a_rolled_back_transaction_does_not_exist(
    database: str,
) -> None:
    engine = make_engine(database)
    async with make_session_factory(engine)() as session:
        await schedule(session, timers, [Timer("ping", "agg_1", utcnow())])
        await session.rollback()
    assert await count(engine, timers) == 0
    await engine.dispose()
