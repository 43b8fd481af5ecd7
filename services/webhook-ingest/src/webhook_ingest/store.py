"""The webhook audit log, and webhook-ingest's unit of work (audit row + outbox, one commit)."""

from __future__ import annotations

from typing import Any, Protocol, Self

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from payroute_common.uow import UnitOfWork, UnitOfWorkInterface
from webhook_ingest.tables import ACCEPTED_EVENT_WHERE, webhook_requests


class WebhookRequestRepository(Protocol):
    async def add(self, row: dict[str, Any]) -> None: ...

    async def add_accepted(self, row: dict[str, Any]) -> bool:
        """Store an accepted row; False (nothing stored) when the event was accepted before."""


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    """What the handler needs: the audit log, a way to publish (via the outbox), a commit."""

    @property
    def requests(self) -> WebhookRequestRepository: ...


class SqlWebhookRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, row: dict[str, Any]) -> None:
        await self._session.execute(webhook_requests.insert().values(row))

    async def add_accepted(self, row: dict[str, Any]) -> bool:
        # A concurrent delivery of the same event waits here for the first one's
        # transaction; if that commits, this one inserts nothing.
        statement = (
            insert(webhook_requests)
            .values({**row, "status": "accepted"})
            .on_conflict_do_nothing(
                index_elements=["provider", "provider_event_id"], index_where=ACCEPTED_EVENT_WHERE
            )
            .returning(webhook_requests.c.id)
        )
        return (await self._session.execute(statement)).scalar_one_or_none() is not None


class WebhookUnitOfWork(UnitOfWork):
    requests: SqlWebhookRequestRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.requests = SqlWebhookRequestRepository(self.session)
        return self
