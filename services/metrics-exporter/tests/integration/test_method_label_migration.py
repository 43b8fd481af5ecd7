"""Counters stored before payments had a `method` label keep counting from where they
were, as `method="other"`; the dropped webhooks counter goes."""

import asyncio
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from payroute_common.migrations import alembic_config, upgrade_to_head

from .conftest import MIGRATIONS

pytestmark = pytest.mark.integration

CAPTURED = '{"currency":"PHP","provider":"stripe","status":"captured"}'
OTHER = '{"currency":"PHP","method":"other","provider":"stripe","status":"captured"}'
REFUNDED = '{"currency":"PHP","provider":"stripe","status":"succeeded"}'
OLD_ROWS = [
    ("payroute_payments_total", CAPTURED, 7),
    ("payroute_payment_amount_minor_total", CAPTURED, 70_000),
    ("payroute_payments_total", OTHER, 1),
    ("payroute_webhooks_received_total", '{"outcome":"succeeded","provider":"stripe"}', 5),
    ("payroute_refunds_total", REFUNDED, 2),
]


async def test_old_rows_gain_method_other_and_never_go_backwards(
    database_url_factory: Any,
) -> None:
    url = database_url_factory("metrics_exporter_relabel")
    await asyncio.to_thread(command.upgrade, alembic_config(MIGRATIONS, url), "0003")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO counters (name, labels, value) VALUES (:n, :l, :v)"),
                [{"n": n, "l": labels, "v": v} for n, labels, v in OLD_ROWS],
            )
            await connection.execute(
                text("INSERT INTO payment_statuses VALUES ('pay_old', 'pending_verification', 2)")
            )
        await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(text("SELECT name, labels, value FROM counters"))
            ).all()
            since = await connection.scalar(text("SELECT since FROM payment_statuses"))
    finally:
        await engine.dispose()
    assert sorted(rows) == [
        ("payroute_payment_amount_minor_total", OTHER, 70_000),
        ("payroute_payments_total", OTHER, 8),  # merged with the row already labelled
        ("payroute_refunds_total", REFUNDED, 2),
    ]
    assert since is not None  # a payment already waiting ages from the upgrade
