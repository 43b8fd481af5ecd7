"""Provider news routed by reference, and disputes, through the store."""

import pytest

from orchestrator.handlers import HANDLERS
from orchestrator.testing import (
    PAY,
    attempt_ok,
    create,
    dispute_webhook,
    operation_ok,
    refund,
    wrap,
)
from payroute_common.envelope import Message
from payroute_common.runtime import ServiceRuntime

from .conftest import unit_of_work
from .test_store import command, handle

pytestmark = pytest.mark.integration


async def captured_with_a_refund(runtime: ServiceRuntime) -> None:
    await handle(runtime, create())
    attempt_id = str((await command(runtime, "AuthorizePayment"))["attempt_id"])
    await handle(runtime, attempt_ok(attempt_id, "captured"))
    await handle(runtime, refund("re_1", 1_000))
    await handle(runtime, operation_ok("re_1", "refund", 1_000))


async def resolved(runtime: ServiceRuntime, *references: tuple[str, str]) -> set[str]:
    async with unit_of_work(runtime) as uow:
        return await uow.payments.resolve(references)


async def test_references_of_the_payment_its_attempts_and_refunds_resolve(
    runtime: ServiceRuntime,
) -> None:
    await captured_with_a_refund(runtime)
    assert await resolved(runtime, ("stripe", "pi_1")) == {PAY}
    assert await resolved(runtime, ("stripe", "re_p")) == {PAY}
    assert await resolved(runtime, ("stripe", "pi_unknown"), ("paymongo", "pi_1")) == set()

    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        payment = uow.payments.get(PAY)
        assert payment is not None
        payment.provider_reference = "pi_later"  # only the attempt keeps pi_1 now
        await uow.commit()
    assert await resolved(runtime, ("stripe", "pi_1")) == {PAY}


async def consume(runtime: ServiceRuntime, message: Message) -> None:
    """What the consumer does with news that names no payment: resolve, lock, handle."""
    async with unit_of_work(runtime) as uow:
        await uow.payments.load(await uow.payments.resolve([("stripe", "pi_1")]))
        await HANDLERS[type(message)](message, uow=uow, envelope=wrap(message))
        await uow.commit()


async def test_a_dispute_routed_by_reference_is_stored_and_closed(
    runtime: ServiceRuntime,
) -> None:
    await captured_with_a_refund(runtime)
    await consume(runtime, dispute_webhook("opened", amount=9_000))
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        payment = uow.payments.get(PAY)
        assert payment is not None
        assert payment.status == "disputed"
        assert payment.dispute is not None
        assert (payment.dispute.dispute_id, payment.dispute.amount) == ("dp_1", 9_000)

    await consume(runtime, dispute_webhook("closed", "lost", amount=9_000))
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        payment = uow.payments.get(PAY)
        assert payment is not None
        assert (payment.status, payment.amount_refunded) == ("refunded", 10_000)
        assert payment.dispute is not None
        assert payment.dispute.outcome == "lost"
