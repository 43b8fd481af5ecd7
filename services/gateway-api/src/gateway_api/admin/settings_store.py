"""The merchant-settings repository: `merchants` LEFT JOIN `merchant_settings`.

`get` is one round trip without a transaction of its own (the create-payment
path reads it on every request), or none: authentication reads the caller's
merchant's settings with its key (`SETTINGS_COLUMNS`) and hands them over
(`read_with_key`), and a plain `get` of that merchant in the same unit of work
answers from them;
`save` writes the tier to `merchants` and the rest to `merchant_settings`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_api.admin.merchant_settings import DEFAULT_VERIFICATION_TTL_SECONDS, MerchantSettings
from gateway_api.domain import ResourceMissing
from gateway_api.tables import merchant_settings, merchants
from payroute_common.clock import utcnow
from payroute_common.hot_reads import HotRead
from payroute_common.limits import AmountLimits
from payroute_common.messages import RoutingPreferences


class MerchantSettingsRepository(Protocol):
    async def get(self, merchant_id: str, *, for_update: bool = False) -> MerchantSettings: ...
    async def save(self, settings: MerchantSettings) -> None: ...


SETTINGS_COLUMNS = (
    merchants.c.tier,
    merchant_settings.c.platform_fee_ppm,
    merchant_settings.c.routing,
    merchant_settings.c.limits,
    merchant_settings.c.verification_ttl_seconds,
)
_SETTINGS = select(*SETTINGS_COLUMNS).select_from(merchants.outerjoin(merchant_settings))


_READ_SETTINGS = HotRead(_SETTINGS.where(merchants.c.id == bindparam("merchant_id")))


def _json(value: Any) -> Any:
    """A JSON column's value: decoded already (SQLAlchemy) or still text (asyncpg)."""
    return json.loads(value) if isinstance(value, str) else value


def settings_from_row(merchant_id: str, row: Mapping[Any, Any]) -> MerchantSettings:
    limits = _json(row["limits"]) or {}
    return MerchantSettings(
        merchant_id=merchant_id,
        tier=row["tier"],
        platform_fee_ppm_override=row["platform_fee_ppm"],
        routing=RoutingPreferences.model_validate(_json(row["routing"]) or {}),
        limits={c: AmountLimits(v["minimum"], v["maximum"]) for c, v in limits.items()},
        verification_ttl_seconds=(
            row["verification_ttl_seconds"] or DEFAULT_VERIFICATION_TTL_SECONDS
        ),
    )


def settings_row(settings: MerchantSettings, now: datetime) -> dict[str, Any]:
    return {
        "merchant_id": settings.merchant_id,
        "platform_fee_ppm": settings.platform_fee_ppm_override,
        "routing": settings.routing.model_dump(mode="json"),
        "limits": {
            currency: {"minimum": limits.minimum, "maximum": limits.maximum}
            for currency, limits in sorted(settings.limits.items())
        },
        "verification_ttl_seconds": settings.verification_ttl_seconds,
        "updated_at": now,
    }


class SqlMerchantSettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._read_with_key: tuple[str, Mapping[str, Any]] | None = None

    def read_with_key(self, merchant_id: str, row: Mapping[str, Any]) -> None:
        """The merchant's settings columns, as authentication read them with the key."""
        self._read_with_key = (merchant_id, row)

    async def get(self, merchant_id: str, *, for_update: bool = False) -> MerchantSettings:
        """The merchant's settings (defaults where it set none), in one round trip.

        `for_update` first locks the merchant row until commit, so concurrent partial
        updates apply one after the other. It takes a second statement: a locking
        join would re-read only the locked row after the wait, and return the
        `merchant_settings` columns as they were before it (a lost update).
        """
        if self._read_with_key and self._read_with_key[0] == merchant_id and not for_update:
            return settings_from_row(merchant_id, self._read_with_key[1])
        if for_update:
            connection = await self._session.connection()
            lock = select(merchants.c.id).where(merchants.c.id == merchant_id).with_for_update()
            await connection.execute(lock)
        row = await _READ_SETTINGS.one_or_none(self._session, merchant_id=merchant_id)
        if row is None:
            raise ResourceMissing("merchant", merchant_id)
        return settings_from_row(merchant_id, row)

    async def save(self, settings: MerchantSettings) -> None:
        """Write every setting (an upsert: the first save creates the row)."""
        self._read_with_key = None
        connection = await self._session.connection()
        tier = update(merchants).where(merchants.c.id == settings.merchant_id)
        await connection.execute(tier.values(tier=settings.tier))
        row = settings_row(settings, utcnow())
        statement = insert(merchant_settings).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=[merchant_settings.c.merchant_id],
            set_={name: statement.excluded[name] for name in row if name != "merchant_id"},
        )
        await connection.execute(statement)
