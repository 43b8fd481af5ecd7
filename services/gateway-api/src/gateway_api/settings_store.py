"""The merchant-settings repository."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_api.domain import ResourceMissing
from gateway_api.merchant_settings import MerchantSettings
from gateway_api.tables import merchants


class MerchantSettingsRepository(Protocol):
    async def get(self, merchant_id: str) -> MerchantSettings: ...
    async def save(self, settings: MerchantSettings) -> None: ...


class SqlMerchantSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, merchant_id: str) -> MerchantSettings:
        query = select(merchants.c.tier).where(merchants.c.id == merchant_id)
        tier = (await (await self._session.connection()).execute(query)).scalar_one_or_none()
        if tier is None:
            raise ResourceMissing("merchant", merchant_id)
        return MerchantSettings(merchant_id=merchant_id, tier=tier)

    async def save(self, settings: MerchantSettings) -> None:
        raise NotImplementedError
