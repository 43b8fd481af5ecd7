"""Unit of work: one transaction holding a state change, its outbox rows and inbox marks."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Protocol, Self

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from payroute_common import hot_writes, inbox, outbox
from payroute_common.envelope import Envelope
from payroute_common.topics import TopicSpec
from payroute_common.tracing import current_trace_headers


class UnitOfWorkInterface(Protocol):
    """What handlers see of a unit of work; each service's protocol adds its repositories."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def publish(
        self, topic: TopicSpec, key: str, envelope: Envelope, headers: dict[str, str] | None = None
    ) -> None: ...

    async def claim(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...

    async def commit(self) -> None: ...


class UnitOfWork:
    """Services subclass it and add their repositories in `__aenter__`."""

    session: AsyncSession

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        outbox_table: Table | None,
        inbox_table: Table | None,
        topic_prefix: str,
        after_commit: Callable[[], None],
    ) -> None:
        self._sessions = sessions
        self._outbox_table = outbox_table
        self._inbox_table = inbox_table
        self._topic_prefix = topic_prefix
        self._after_commit = after_commit
        self._outgoing: list[outbox.OutgoingMessage] = []
        self._new_rows: list[hot_writes.NewRow] = []

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._outgoing = []
        self._new_rows = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.session.rollback()
        await self.session.close()

    def publish(
        self, topic: TopicSpec, key: str, envelope: Envelope, headers: dict[str, str] | None = None
    ) -> None:
        headers = {**current_trace_headers(), **(headers or {})}
        self._outgoing.append(outbox.OutgoingMessage(topic, key, envelope, headers))

    def insert_on_commit(self, table: Table, values: Mapping[str, Any]) -> None:
        """Insert a row at commit, with the outbox rows, in one statement when they are few.

        Until then no read in this unit of work sees it."""
        self._new_rows.append(hot_writes.NewRow(table, values))

    async def claim(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        if self._inbox_table is None:
            raise RuntimeError("this service keeps no inbox")
        return await inbox.claim(self.session, self._inbox_table, consumer, event_ids)

    async def processed(self, consumer: str, event_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        if self._inbox_table is None:
            raise RuntimeError("this service keeps no inbox")
        return await inbox.processed(self.session, self._inbox_table, consumer, event_ids)

    async def commit(self) -> None:
        staged = bool(self._outgoing)
        await self._write_new_rows()
        await self.session.commit()
        if staged:
            self._after_commit()

    async def _write_new_rows(self) -> None:
        """New rows and outbox rows: one statement when few, else SQLAlchemy's inserts
        (which begin the transaction) and the outbox's pipelined insert."""
        new_rows, outgoing = self._new_rows, self._outgoing
        self._new_rows, self._outgoing = [], []
        if len(new_rows) + len(outgoing) <= hot_writes.MAX_ROWS:
            messages = [
                hot_writes.NewRow(self._outbox(), m.row(self._topic_prefix)) for m in outgoing
            ]
            await hot_writes.insert_rows(self.session, [*new_rows, *messages])
            return
        for row in new_rows:
            await (await self.session.connection()).execute(row.table.insert(), dict(row.values))
        if outgoing:
            await outbox.stage(self.session, self._outbox(), outgoing, self._topic_prefix)

    def _outbox(self) -> Table:
        if self._outbox_table is None:
            raise RuntimeError("this service keeps no outbox")
        return self._outbox_table
