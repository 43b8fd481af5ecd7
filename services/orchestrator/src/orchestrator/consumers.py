"""The orchestrator's subscription (commands, provider results, health, webhooks) and its
timers."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from orchestrator.conditions import ConditionsCache
from orchestrator.config import Settings
from orchestrator.handlers import handlers, payment_id_of, reference_of
from orchestrator.handlers.timers import fire
from orchestrator.recovery import RecoveryPolicy
from orchestrator.store import OrchestratorUnitOfWork
from orchestrator.tables import timers
from payroute_common.consumer import Received, subscribe
from payroute_common.runtime import ServiceRuntime
from payroute_common.timers import Timer, TimerPoller
from payroute_common.topics import (
    PAYMENT_COMMANDS,
    PROVIDER_HEALTH,
    PROVIDER_RESULTS,
    PROVIDER_WEBHOOKS,
)

GROUP = "orchestrator"


def register(runtime: ServiceRuntime, settings: Settings) -> None:
    policy = RecoveryPolicy.of(settings)
    table = handlers(timedelta(seconds=settings.verification_ttl_s), policy)
    OrchestratorUnitOfWork.conditions_cache = ConditionsCache(settings.conditions_ttl_s)

    async def handle(batch: Sequence[Received]) -> None:
        async with runtime.unit_of_work(OrchestratorUnitOfWork) as uow:
            fresh = await uow.claim(GROUP, (item.envelope.event_id for item in batch))
            todo = [item for item in batch if item.envelope.event_id in fresh]
            # Payments named by provider reference are found first, then locked with the rest.
            ids = {pid for item in todo if (pid := payment_id_of(item.message))}
            references = [ref for item in todo if (ref := reference_of(item.message))]
            if references:
                ids |= await uow.payments.resolve(references)
            await uow.payments.load(ids)
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
        topics=[PAYMENT_COMMANDS, PROVIDER_RESULTS, PROVIDER_HEALTH, PROVIDER_WEBHOOKS],
        handler=handle,
    )

    poller = timer_poller(runtime, settings)
    runtime.run_in_background(poller.run)


def timer_handler(
    policy: RecoveryPolicy,
) -> Callable[[Sequence[Timer], OrchestratorUnitOfWork], Awaitable[None]]:
    async def fire_timers(due: Sequence[Timer], uow: OrchestratorUnitOfWork) -> None:
        await uow.payments.load(t.aggregate_id for t in due)
        await fire(due, uow=uow, policy=policy)

    return fire_timers


def timer_poller(
    runtime: ServiceRuntime, settings: Settings
) -> TimerPoller[OrchestratorUnitOfWork]:
    return TimerPoller(
        lambda: runtime.unit_of_work(OrchestratorUnitOfWork),
        timers,
        timer_handler(RecoveryPolicy.of(settings)),
        batch_size=settings.timer_batch_size,
        poll_interval_s=settings.timer_poll_interval_s,
    )
