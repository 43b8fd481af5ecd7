"""Idempotent inbox: processed event ids, recorded in the effect's transaction."""

import uuid
from collections.abc import Iterable

from sqlalchemy import Column, DateTime, MetaData, Table, Text, func, select
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession


def define_inbox(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def claim(
    session: AsyncSession, table: Table, consumer: str, event_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Mark `event_ids` processed by `consumer`; returns those not processed before.

    Runs inside the caller's transaction: if the effect rolls back, so does
    the mark, and the event is processed again on redelivery.
    """
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return set()
    # One cached statement executed for many rows: a multi-row VALUES would be
    # compiled anew for every batch size.
    statement = insert(table).on_conflict_do_nothing().returning(table.c.event_id)
    rows = [{"consumer": consumer, "event_id": event_id} for event_id in ids]
    connection = await session.connection()
    return set((await connection.execute(statement, rows)).scalars())


async def processed(
    session: AsyncSession, table: Table, consumer: str, event_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of `event_ids` `consumer` has already processed (a read; claims nothing)."""
    ids = list(event_ids)
    if not ids:
        return set()
    query = select(table.c.event_id).where(table.c.consumer == consumer, table.c.event_id.in_(ids))
    return set((await session.execute(query)).scalars())
