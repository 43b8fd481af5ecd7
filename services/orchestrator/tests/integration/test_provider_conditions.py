"""Provider health and success counts written and read back for routing."""

from datetime import timedelta

import pytest

from orchestrator.domain import Payment
from orchestrator.handlers import HANDLERS
from orchestrator.routing import SuccessWindow
from orchestrator.testing import PAY, UNAVAILABLE, attempt_failed, create, health_changed, wrap
from payroute_common.clock import utcnow
from payroute_common.envelope import Message
from payroute_common.messages.values import RoutingPreferences
from payroute_common.runtime import ServiceRuntime

from .conftest import unit_of_work

pytestmark = pytest.mark.integration


async def test_the_newest_health_report_per_provider_wins(runtime: ServiceRuntime) -> None:
    newer = health_changed("stripe", "unhealthy")
    older = health_changed("stripe", "healthy").model_copy(
        update={"at": newer.at - timedelta(seconds=5)}
    )
    for report in (newer, older):  # the older one arrives last, from another replica
        async with unit_of_work(runtime) as uow:
            uow.providers.record_health(report)
            await uow.commit()
    async with unit_of_work(runtime) as uow:
        conditions = await uow.providers.conditions(utcnow())
    assert conditions.health == {"stripe": "unhealthy"}


async def test_attempt_results_count_in_the_rolling_window(runtime: ServiceRuntime) -> None:
    now = utcnow()
    async with unit_of_work(runtime) as uow:
        for succeeded in (True, True, False):
            uow.providers.record_result("paymongo", succeeded, now)
        uow.providers.record_result("paymongo", True, now - timedelta(minutes=20))  # too old
        await uow.commit()
    async with unit_of_work(runtime) as uow:
        uow.providers.record_result("paymongo", False, now)
        await uow.commit()
    async with unit_of_work(runtime) as uow:
        conditions = await uow.providers.conditions(now)
    assert conditions.success == {"paymongo": SuccessWindow(attempts=4, successes=2)}


async def handle(runtime: ServiceRuntime, message: Message) -> None:
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        await HANDLERS[type(message)](message, uow=uow, envelope=wrap(message))
        await uow.commit()


async def stored(runtime: ServiceRuntime) -> Payment:
    async with unit_of_work(runtime) as uow:
        await uow.payments.load([PAY])
        payment = uow.payments.get(PAY)
    assert payment is not None
    return payment


async def test_a_failed_attempt_is_counted_with_its_result(runtime: ServiceRuntime) -> None:
    await handle(runtime, create(routing=RoutingPreferences(max_attempts=2)))
    attempt_id = (await stored(runtime)).attempts[0].attempt_id
    await handle(runtime, attempt_failed(attempt_id, UNAVAILABLE))
    async with unit_of_work(runtime) as uow:
        conditions = await uow.providers.conditions(utcnow())
    assert conditions.success == {"stripe": SuccessWindow(attempts=1, successes=0)}
    payment = await stored(runtime)
    assert payment.status == "processing"  # waiting for the next provider
    assert payment.routing.max_attempts == 2
