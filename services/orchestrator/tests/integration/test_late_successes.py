"""Late successes and operations sent again, through the real store and timer poller."""

import asyncio

import pytest
from sqlalchemy import select

from orchestrator.config import Settings
from orchestrator.consumers import timer_poller
from orchestrator.handlers import handlers
from orchestrator.recovery import RecoveryPolicy
from orchestrator.tables import outbox, payments, refunds, timers
from orchestrator.testing import (
    DECLINE,
    PAY,
    TIMEOUT,
    attempt_failed,
    attempt_ok,
    create,
    operation_failed,
    operation_ok,
    refund,
    webhook,
    wrap,
)
from payroute_common.envelope import Envelope, Message
from payroute_common.runtime import ServiceRuntime

from .conftest import unit_of_work

pytestmark = pytest.mark.integration

TABLE = handlers(policy=RecoveryPolicy(query_delays_s=(0.2,), answer_deadline_s=0.5))


async def handle(runtime: ServiceRuntime, message: Message) -> None:
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        await TABLE[type(message)](message, uow=uow, envelope=wrap(message))
        await uow.commit()


async def published(runtime: ServiceRuntime, event_type: str) -> list[Envelope]:
    async with runtime.engine.connect() as connection:
        values = await connection.scalars(select(outbox.c.value).order_by(outbox.c.id))
        found = [Envelope.model_validate_json(v) for v in values]
    return [e for e in found if e.event_type == event_type]


async def fire_until(runtime: ServiceRuntime, event_type: str, count: int) -> list[Envelope]:
    """Fire due timers until `count` messages of `event_type` are in the outbox."""
    settings = Settings(
        database_url=runtime.settings.database_url,
        status_query_delays_s=(0.2,),
        answer_deadline_s=0.5,
    )
    poller = timer_poller(settings, lambda: unit_of_work(runtime))
    deadline = asyncio.get_running_loop().time() + 30
    while len(found := await published(runtime, event_type)) < count:
        assert asyncio.get_running_loop().time() < deadline, f"no {count} {event_type}"
        await poller.fire_due()
        await asyncio.sleep(0.1)
    return found


async def test_a_late_success_is_kept_with_its_payment_and_sent_again_until_answered(
    runtime: ServiceRuntime,
) -> None:
    await handle(runtime, create())
    attempt_id = str((await published(runtime, "AuthorizePayment"))[0].payload["attempt_id"])
    await handle(runtime, attempt_failed(attempt_id, DECLINE))
    await handle(runtime, webhook("succeeded"))
    (found,) = await published(runtime, "LateSuccessFound")
    op_id = found.payload["late_success"]["operation_id"]
    async with runtime.engine.connect() as connection:
        row = (await connection.execute(select(payments).where(payments.c.id == PAY))).one()
        kinds = set(await connection.scalars(select(timers.c.kind)))
    assert row.status == "failed"
    assert [(r["operation_id"], r["kind"], r["status"]) for r in row.late_successes] == [
        (op_id, "refund", "sent")
    ]
    assert "operation_check" in kinds

    charges = await fire_until(runtime, "RefundCharge", 2)
    assert {c.payload["operation_id"] for c in charges} == {op_id}
    await handle(runtime, operation_ok(op_id, "refund", 10_000))
    assert len(await published(runtime, "LateSuccessReversed")) == 1
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        payment = uow.payments.get(PAY)
        assert payment is not None
        assert [r.status for r in payment.reversals] == ["reversed"]
        assert (payment.status, payment.amount_captured) == ("failed", 0)


async def test_a_refund_with_an_undetermined_answer_is_sent_again_by_the_poller(
    runtime: ServiceRuntime,
) -> None:
    await handle(runtime, create())
    attempt_id = str((await published(runtime, "AuthorizePayment"))[0].payload["attempt_id"])
    await handle(runtime, attempt_ok(attempt_id, "captured"))
    await handle(runtime, refund("re_1", 3_000))
    await handle(runtime, operation_failed("re_1", "refund", TIMEOUT))
    async with runtime.engine.connect() as connection:
        answer = await connection.scalar(
            select(refunds.c.provider_answer).where(refunds.c.id == "re_1")
        )
    assert answer == "undetermined"
    charges = await fire_until(runtime, "RefundCharge", 2)
    assert charges[0].payload == charges[1].payload
    await handle(runtime, operation_ok("re_1", "refund", 3_000))
    assert len(await published(runtime, "RefundSucceeded")) == 1
