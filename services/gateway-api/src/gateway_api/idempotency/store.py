"""Idempotency keys and the answers stored under them, per merchant."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_api.idempotency.rules import StoredAnswer
from gateway_api.tables import idempotency_keys


class IdempotencyRepository(Protocol):
    async def insert(self, merchant_id: str, key: str, fingerprint: str, now: datetime) -> bool: ...
    async def get(self, merchant_id: str, key: str) -> StoredAnswer | None: ...
    async def store(
        self, merchant_id: str, key: str, status_code: int, body: dict[str, Any], *, completed: bool
    ) -> None: ...
    async def purge(self, before: datetime) -> int: ...


class SqlIdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def insert(self, merchant_id: str, key: str, fingerprint: str, now: datetime) -> bool:
        """Claim the key; False when it exists (waits for a concurrent claim to commit)."""
        t = idempotency_keys
        statement = (
            insert(t)
            .values(
                merchant_id=merchant_id,
                key=key,
                fingerprint=fingerprint,
                completed=False,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[t.c.merchant_id, t.c.key])
            .returning(t.c.key)
        )
        result = await (await self._session.connection()).execute(statement)
        return result.first() is not None

    async def get(self, merchant_id: str, key: str) -> StoredAnswer | None:
        t = idempotency_keys
        query = select(t).where(t.c.merchant_id == merchant_id, t.c.key == key)
        row = (await (await self._session.connection()).execute(query)).mappings().first()
        if row is None:
            return None
        return StoredAnswer(
            fingerprint=row["fingerprint"],
            status_code=row["status_code"],
            body=row["response"],
            completed=row["completed"],
            created_at=row["created_at"],
        )

    async def store(
        self, merchant_id: str, key: str, status_code: int, body: dict[str, Any], *, completed: bool
    ) -> None:
        t = idempotency_keys
        statement = (
            update(t)
            .where(t.c.merchant_id == merchant_id, t.c.key == key)
            .values(status_code=status_code, response=body, completed=completed)
        )
        await (await self._session.connection()).execute(statement)

    async def purge(self, before: datetime) -> int:
        """Forget keys created before `before`; how many were forgotten."""
        statement = delete(idempotency_keys).where(idempotency_keys.c.created_at < before)
        result = await (await self._session.connection()).execute(statement)
        return int(result.rowcount or 0)
