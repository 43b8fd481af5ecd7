"""reconciliation's copy of the API keys announced on `access.keys`.

Applied in the order the topic delivers them (one partition, keyed by key id).
A key's issue fills in its role and hash and leaves any revocation standing; a
revocation is kept even when it arrives before the issue (a replayed dead
letter), so a revoked key never comes back to life. Replays change nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked
from reconciliation.access import KeyHolder
from reconciliation.tables import api_keys


class SqlApiKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def issued(self, key: ApiKeyIssued) -> None:
        statement = insert(api_keys).values(
            key_id=key.key_id,
            merchant_id=key.merchant_id,
            role=key.role,
            key_hash=key.key_hash,
            created_at=key.created_at,
        )
        excluded = statement.excluded
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[api_keys.c.key_id],
                set_={
                    "merchant_id": excluded.merchant_id,
                    "role": excluded.role,
                    "key_hash": excluded.key_hash,
                    "created_at": excluded.created_at,
                },
            )
        )

    async def revoked(self, key: ApiKeyRevoked) -> None:
        statement = insert(api_keys).values(
            key_id=key.key_id, merchant_id=key.merchant_id, revoked_at=key.revoked_at
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[api_keys.c.key_id],
                set_={
                    "revoked_at": func.coalesce(
                        api_keys.c.revoked_at, statement.excluded.revoked_at
                    )
                },
            )
        )

    async def holder(self, key_hash: str) -> KeyHolder | None:
        """The unrevoked key with this hash, if reconciliation knows one."""
        query = select(api_keys.c.key_id, api_keys.c.merchant_id, api_keys.c.role).where(
            api_keys.c.key_hash == key_hash,
            api_keys.c.revoked_at.is_(None),
            api_keys.c.role.is_not(None),
        )
        row = (await self._session.execute(query)).one_or_none()
        return KeyHolder(row.key_id, row.merchant_id, row.role) if row is not None else None
