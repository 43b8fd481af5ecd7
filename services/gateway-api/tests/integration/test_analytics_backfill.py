"""Payments the gateway held before analytics existed are counted by the migration."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from alembic import command
from pydantic import SecretStr

from gateway_api.__main__ import MIGRATIONS
from gateway_api.admin import api_keys
from gateway_api.app import build_app
from gateway_api.config import Settings
from gateway_api.projection import read_model
from gateway_api.tables import metadata
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_common.migrations import alembic_config
from payroute_common.runtime import ServiceRuntime

from .analytics_events import STRIPE_PHP, fresh_day, mix
from .conftest import MerchantKey

pytestmark = pytest.mark.integration


async def test_the_migration_counts_existing_payments_as_the_projection_does(
    database_url_factory: Any,
) -> None:
    url = database_url_factory("analytics_backfill")
    config = alembic_config(MIGRATIONS, url)
    await asyncio.to_thread(command.upgrade, config, "0005")
    settings = Settings(database_url=SecretStr(url))
    runtime = ServiceRuntime(settings, metadata)
    try:
        async with runtime.unit_of_work(GatewayUnitOfWork) as uow:
            merchant, issued = await api_keys.create_merchant("Before", "starter", uow=uow)
        key = MerchantKey(merchant.id, issued.key.id, issued.secret)
        day = fresh_day()
        for event in mix(key, day):  # the read model and timeline only, as before 0006
            async with runtime.unit_of_work(GatewayUnitOfWork) as uow:
                await read_model.apply_payment_events([event], uow=uow)
                await uow.commit()

        await asyncio.to_thread(command.upgrade, config, "head")

        transport = httpx.ASGITransport(app=build_app(runtime, settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            query = {"from": f"{day:%Y-%m-%d}", "to": f"{day:%Y-%m-%d}"}
            response = await client.get("/v1/analytics/payments", params=query, headers=key.headers)
            failures = await client.get("/v1/analytics/failures", params=query, headers=key.headers)
    finally:
        await runtime.engine.dispose()

    rows = {(r["group"], r["currency"]): r for r in response.json()["data"]}
    assert rows["stripe", "PHP"] == STRIPE_PHP
    assert rows["paymongo", "PHP"]["count"] == 1
    assert rows["stripe", "USD"]["volume"] == 10_000
    assert failures.json()["data"] == [
        {"provider": "stripe", "reason": "card_declined", "count": 1}
    ]
