"""The orchestrator's subscription: commands, provider results and webhooks."""

from collections.abc import Sequence

from orchestrator.handlers import HANDLERS, payment_id_of
from orchestrator.store import OrchestratorUnitOfWork
from payroute_common.consumer import Received, subscribe
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import PAYMENT_COMMANDS, PROVIDER_RESULTS, PROVIDER_WEBHOOKS

GROUP = "orchestrator"


def register(runtime: ServiceRuntime) -> None:
    async def handle(batch: Sequence[Received]) -> None:
        async with runtime.unit_of_work(OrchestratorUnitOfWork) as uow:
            fresh = await uow.claim(GROUP, (item.envelope.event_id for item in batch))
            todo = [item for item in batch if item.envelope.event_id in fresh]
            await uow.payments.load(pid for item in todo if (pid := payment_id_of(item.message)))
            for item in todo:
                handler = HANDLERS.get(type(item.message))
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
