"""Payments, refunds and timers written and read back through the unit of work."""

import asyncio

import pytest
from sqlalchemy import func, select

from orchestrator.config import Settings
from orchestrator.consumers import timer_poller
from orchestrator.handlers import HANDLERS
from orchestrator.tables import outbox, timers
from orchestrator.testing import (
    PAY,
    attempt_ok,
    capture,
    create,
    operation_ok,
    refund,
    wrap,
)
from payroute_common.envelope import Envelope, Message
from payroute_common.runtime import ServiceRuntime

from .conftest import unit_of_work

pytestmark = pytest.mark.integration


async def handle(runtime: ServiceRuntime, message: Message) -> None:
    """What the consumer does with one message: load, handle, commit."""
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        await HANDLERS[type(message)](message, uow=uow, envelope=wrap(message))
        await uow.commit()


async def published(runtime: ServiceRuntime) -> list[Envelope]:
    async with runtime.engine.connect() as connection:
        values = await connection.scalars(select(outbox.c.value).order_by(outbox.c.id))
        return [Envelope.model_validate_json(v) for v in values]


async def command(runtime: ServiceRuntime, event_type: str) -> dict[str, object]:
    return next(e.payload for e in reversed(await published(runtime)) if e.event_type == event_type)


async def test_a_payment_and_its_refunds_round_trip(runtime: ServiceRuntime) -> None:
    await handle(runtime, create(capture_method="manual"))
    attempt_id = (await command(runtime, "AuthorizePayment"))["attempt_id"]
    await handle(runtime, attempt_ok(str(attempt_id), "authorized"))
    await handle(runtime, capture(8_000))
    operation_id = str((await command(runtime, "CaptureAuthorization"))["operation_id"])
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        payment = uow.payments.get(PAY)
        assert payment is not None
        assert payment.operation is not None
        assert payment.operation.operation_id == operation_id
    await handle(runtime, operation_ok(operation_id, "capture", 8_000))
    await handle(runtime, refund("re_1", 3_000))
    await handle(runtime, operation_ok("re_1", "refund", 3_000))
    await handle(runtime, refund("re_2", 1_000))

    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        payment = uow.payments.get(PAY)
        assert payment is not None
        assert (payment.status, payment.amount_captured) == ("partially_refunded", 8_000)
        assert (payment.amount_refunded, payment.amount_refund_pending) == (3_000, 1_000)
        assert payment.fees is not None
        assert payment.fees.net == 8_000 - payment.fees.provider_fee - payment.fees.platform_fee
        assert payment.operation is None
        assert payment.attempts[0].status == "succeeded"
        first, second = uow.refunds.get("re_1"), uow.refunds.get("re_2")
        assert first is not None
        assert second is not None
        assert (first.status, first.provider_reference) == ("succeeded", "re_p")
        assert second.status == "pending"
    versions = [
        e.payload["payment"]["version"] for e in await published(runtime) if "payment" in e.payload
    ]
    assert versions == sorted(set(versions))


async def test_an_unchanged_payment_is_not_rewritten(runtime: ServiceRuntime) -> None:
    await handle(runtime, create())
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        before = uow.payments.get(PAY)
        assert before is not None
        await uow.commit()
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        assert uow.payments.get(PAY) == before


async def test_an_unverified_cash_payment_fails_when_its_durable_timer_fires(
    runtime: ServiceRuntime,
) -> None:
    await handle(runtime, create("cash", verification_ttl_seconds=1))
    async with runtime.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(timers)) == 1
    poller = timer_poller(
        Settings(database_url=runtime.settings.database_url), lambda: unit_of_work(runtime)
    )
    deadline = asyncio.get_running_loop().time() + 30
    while not any(e.event_type == "PaymentFailed" for e in await published(runtime)):
        assert asyncio.get_running_loop().time() < deadline, "the verification never expired"
        await poller.fire_due()
        await asyncio.sleep(0.2)
    failed = next(e for e in await published(runtime) if e.event_type == "PaymentFailed")
    assert failed.payload["payment"]["failure"]["code"] == "verification_expired"
    async with runtime.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(timers)) == 0


async def test_a_timer_is_scheduled_only_if_its_payment_commits(runtime: ServiceRuntime) -> None:
    async with unit_of_work(runtime) as uow:
        message = create("cash")
        await HANDLERS[type(message)](message, uow=uow, envelope=wrap(message))
        # no commit: the unit of work rolls back
    async with runtime.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(timers)) == 0
