"""A unit of work's new rows and outbox rows, written at commit in one statement, on Postgres."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

from payroute_common.clock import utcnow
from payroute_common.db import make_engine, make_session_factory, new_metadata
from payroute_common.envelope import Envelope
from payroute_common.hot_writes import MAX_ROWS
from payroute_common.messages import CancelPayment
from payroute_common.outbox import define_outbox
from payroute_common.topics import PAYMENT_COMMANDS
from payroute_common.uow import UnitOfWork

pytestmark = pytest.mark.integration

metadata: MetaData = new_metadata()
outbox = define_outbox(metadata)
things = Table(
    "things",
    metadata,
    Column("id", Text, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("doc", JSONB, nullable=False),
    Column("maybe", JSONB(none_as_null=True)),
    Column("at", DateTime(timezone=True), nullable=False),
)
notes = Table("notes", metadata, Column("thing_id", Text, nullable=False))


@pytest_asyncio.fixture
async def engine(database_url_factory: Any) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url_factory("hot_writes"))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


def unit_of_work(engine: AsyncEngine) -> UnitOfWork:
    return UnitOfWork(
        make_session_factory(engine),
        outbox_table=outbox,
        inbox_table=None,
        topic_prefix="t.",
        after_commit=lambda: None,
    )


def thing(thing_id: str) -> dict[str, Any]:
    return {
        "id": thing_id,
        "count": 3,
        "doc": {"a": [1, "é"], "b": None},
        "maybe": None,
        "at": utcnow(),
    }


def message(payment_id: str) -> Envelope:
    return Envelope.wrap(
        CancelPayment(payment_id=payment_id, merchant_id="mch_1", requested_at=utcnow()),
        producer="test",
        tenant_id="mch_1",
        aggregate_id=payment_id,
    )


async def rows(engine: AsyncEngine, table: Table) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(select(table))
        return [dict(r) for r in result.mappings()]


async def test_new_rows_and_messages_are_written_as_sqlalchemy_would(engine: AsyncEngine) -> None:
    async with unit_of_work(engine) as uow:
        uow.insert_on_commit(things, thing("th_1"))
        uow.insert_on_commit(notes, {"thing_id": "th_1"})
        uow.publish(PAYMENT_COMMANDS, "pay_1", message("pay_1"))
        await uow.commit()
    async with engine.begin() as connection:  # the same row, through SQLAlchemy
        await connection.execute(things.insert(), {**thing("th_2"), "at": thing("th_1")["at"]})

    written = {r["id"]: r for r in await rows(engine, things)}
    assert {k: v for k, v in written["th_1"].items() if k not in ("id", "at")} == {
        k: v for k, v in written["th_2"].items() if k not in ("id", "at")
    }
    assert written["th_1"]["doc"] == {"a": [1, "é"], "b": None}
    assert written["th_1"]["maybe"] is None
    assert await rows(engine, notes) == [{"thing_id": "th_1"}]
    [sent] = await rows(engine, outbox)
    assert (sent["topic"], sent["key"]) == ("t.payment.commands", "pay_1")
    assert Envelope.model_validate_json(sent["value"]).aggregate_id == "pay_1"


async def test_one_failing_row_writes_nothing(engine: AsyncEngine) -> None:
    async with unit_of_work(engine) as uow:
        uow.insert_on_commit(things, thing("th_1"))
        await uow.commit()
    async with unit_of_work(engine) as uow:
        uow.insert_on_commit(notes, {"thing_id": "th_1"})
        uow.insert_on_commit(things, thing("th_1"))  # already there
        uow.publish(PAYMENT_COMMANDS, "pay_1", message("pay_1"))
        with pytest.raises(UniqueViolationError):
            await uow.commit()

    assert [r["id"] for r in await rows(engine, things)] == ["th_1"]
    assert await rows(engine, notes) == []
    assert await rows(engine, outbox) == []


async def test_many_rows_are_written_the_ordinary_way_in_one_transaction(
    engine: AsyncEngine,
) -> None:
    async with unit_of_work(engine) as uow:
        for i in range(MAX_ROWS):
            uow.insert_on_commit(things, thing(f"th_{i}"))
            uow.publish(PAYMENT_COMMANDS, f"pay_{i}", message(f"pay_{i}"))
        await uow.commit()
    assert len(await rows(engine, things)) == MAX_ROWS
    by_id = sorted(await rows(engine, outbox), key=lambda r: r["id"])
    assert [r["key"] for r in by_id] == [f"pay_{i}" for i in range(MAX_ROWS)]


async def test_rows_join_a_transaction_already_begun(engine: AsyncEngine) -> None:
    async with unit_of_work(engine) as uow:
        uow.insert_on_commit(things, thing("th_1"))
        await uow.commit()
    async with unit_of_work(engine) as uow:
        await uow.session.execute(notes.insert(), {"thing_id": "written first"})
        uow.insert_on_commit(things, thing("th_1"))  # already there
        with pytest.raises(UniqueViolationError):
            await uow.commit()
    async with unit_of_work(engine) as uow:
        await uow.session.execute(notes.insert(), {"thing_id": "th_2"})
        uow.insert_on_commit(things, thing("th_2"))
        await uow.commit()

    assert await rows(engine, notes) == [{"thing_id": "th_2"}]
    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(things)) == 2


async def test_messages_keep_their_order_among_other_rows(engine: AsyncEngine) -> None:
    async with unit_of_work(engine) as uow:
        for i in range(5):
            uow.publish(PAYMENT_COMMANDS, f"pay_{i}", message(f"pay_{i}"))
            uow.insert_on_commit(notes, {"thing_id": f"th_{i}"})
        await uow.commit()

    by_id = sorted(await rows(engine, outbox), key=lambda r: r["id"])
    assert [r["key"] for r in by_id] == [f"pay_{i}" for i in range(5)]
    assert len(await rows(engine, notes)) == 5
