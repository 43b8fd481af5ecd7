"""Merchants and API keys: authentication is one indexed SELECT.

That SELECT also reads the merchant's settings and hands them to the unit of
work's settings repository, so a payment's create reads the database once
before it writes, not twice."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_api.admin.settings_store import SETTINGS_COLUMNS, SqlMerchantSettingsRepository
from gateway_api.domain import ApiKey, Merchant, Principal
from gateway_api.tables import api_keys, merchant_settings, merchants
from payroute_common.hot_reads import HotRead

# Compiled once, run without a transaction of its own.
_PRINCIPAL = HotRead(
    select(api_keys.c.id, api_keys.c.merchant_id, api_keys.c.role, *SETTINGS_COLUMNS)
    .select_from(api_keys.join(merchants).outerjoin(merchant_settings))
    .where(api_keys.c.key_hash == bindparam("key_hash"), api_keys.c.revoked_at.is_(None))
)


class MerchantRepository(Protocol):
    async def add(self, merchant: Merchant) -> None: ...
    async def get(self, merchant_id: str) -> Merchant | None: ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...
    async def principal(self, key_hash: str) -> Principal | None: ...
    async def revoke(self, key_id: str, now: datetime) -> ApiKey | None: ...


class SqlMerchantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, merchant: Merchant) -> None:
        row = {
            "id": merchant.id,
            "name": merchant.name,
            "tier": merchant.tier,
            "created_at": merchant.created_at,
        }
        await (await self._session.connection()).execute(merchants.insert(), row)

    async def get(self, merchant_id: str) -> Merchant | None:
        query = select(merchants).where(merchants.c.id == merchant_id)
        row = (await (await self._session.connection()).execute(query)).first()
        return Merchant(row.id, row.name, row.tier, row.created_at) if row else None


class SqlApiKeyRepository:
    def __init__(self, session: AsyncSession, settings: SqlMerchantSettingsRepository) -> None:
        self._session = session
        self._settings = settings

    async def add(self, key: ApiKey) -> None:
        row = {
            "id": key.id,
            "merchant_id": key.merchant_id,
            "role": key.role,
            "key_hash": key.key_hash,
            "last4": key.last4,
            "created_at": key.created_at,
            "revoked_at": key.revoked_at,
        }
        await (await self._session.connection()).execute(api_keys.insert(), row)

    async def principal(self, key_hash: str) -> Principal | None:
        row = await _PRINCIPAL.one_or_none(self._session, key_hash=key_hash)
        if row is None:
            return None
        self._settings.read_with_key(row["merchant_id"], row)
        return Principal(key_id=row["id"], merchant_id=row["merchant_id"], role=row["role"])

    async def revoke(self, key_id: str, now: datetime) -> ApiKey | None:
        """Revoke `key_id` (keeping the first revocation time); None when there is no such key."""
        t = api_keys
        statement = (
            update(t)
            .where(t.c.id == key_id)
            .values(revoked_at=func.coalesce(t.c.revoked_at, now))
            .returning(*t.c)
        )
        row = (await (await self._session.connection()).execute(statement)).first()
        if row is None:
            return None
        return ApiKey(
            row.id,
            row.merchant_id,
            row.role,
            row.key_hash,
            row.last4,
            row.created_at,
            row.revoked_at,
        )
