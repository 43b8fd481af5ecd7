"""The orchestrator's subscription (commands, provider results, webhooks) and its timers."""

from collections.abc import Sequence
from datetime import timedelta

from orchestrator.config import Settings
from orchestrator.handlers import handlers, payment_id_of
from orchestrator.handlers.timers import fire
from orchestrator.store import OrchestratorUnitOfWork
from orchestrator.tables import timers
from payroute_common.consumer import Received, subscribe
from payroute_common.runtime import ServiceRuntime
from payroute_common.timers import Timer, TimerPoller
from payroute_common.topics import PAYMENT_COMMANDS, PROVIDER_RESULTS, PROVIDER_WEBHOOKS

GROUP = "orchestrator"


def register(runtime: ServiceRuntime, settings: Settings) -> None:
    table = handlers(timedelta(seconds=settings.verification_ttl_s))

    async def handle(batch: Sequence[Received]) -> None:
        async with runtime.unit_of_work(OrchestratorUnitOfWork) as uow:
            fresh = await uow.claim(GROUP, (item.envelope.event_id for item in batch))
            todo = [item for item in batch if item.envelope.event_id in fresh]
            await uow.payments.load(pid for item in todo if (pid := payment_id_of(item.message)))
            for item in todo:
                handler = table.get(type(item.message))
                if handler is not None:
                    with item.traced():
                        await handler(item.message, item.envelope, uow=uow)
            await uow.commit()

    subscribe(
        runtime.broker,
        runtime.settings,
        group=GROUP,
        topics=[PAYMENT_COMMANDS, PROVIDER_RESULTS, PROVIDER_WEBHOOKS],
        handler=handle,
    )

    poller = timer_poller(runtime, settings)
    runtime.run_in_background(poller.run)


async def fire_timers(due: Sequence[Timer], uow: OrchestratorUnitOfWork) -> None:
    await uow.payments.load(t.aggregate_id for t in due)
    await fire(due, uow=uow)


def timer_poller(
    runtime: ServiceRuntime, settings: Settings
) -> TimerPoller[OrchestratorUnitOfWork]:
    return TimerPoller(
        lambda: runtime.unit_of_work(OrchestratorUnitOfWork),
        timers,
        fire_timers,
        batch_size=settings.timer_batch_size,
        poll_interval_s=settings.timer_poll_interval_s,
    )
