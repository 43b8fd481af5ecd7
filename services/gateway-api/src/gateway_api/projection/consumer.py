"""gateway-api's subscription: payment events keep the payments and refunds read models,
the payment timeline and the analytics buckets current."""

from collections.abc import Sequence

from gateway_api.analytics.projection import project_payment_events
from gateway_api.analytics.store import SqlAnalyticsStore
from gateway_api.projection.read_model import apply_payment_events
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_common.consumer import Received, subscribe
from payroute_common.messages import PaymentEvent
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import PAYMENT_EVENTS

GROUP = "gateway-api"


async def handle_batch(runtime: ServiceRuntime, batch: Sequence[Received]) -> None:
    """One transaction per batch: inbox marks and read-model changes commit together."""
    async with runtime.unit_of_work(GatewayUnitOfWork) as uow:
        fresh = await uow.claim(GROUP, (item.envelope.event_id for item in batch))
        received = [
            (item.envelope.event_id, item.message)
            for item in batch
            if item.envelope.event_id in fresh and isinstance(item.message, PaymentEvent)
        ]
        await apply_payment_events(
            [message for _, message in received],
            uow=uow,
            event_ids=[event_id for event_id, _ in received],
        )
        await project_payment_events(
            [message for _, message in received], store=SqlAnalyticsStore(uow.session)
        )
        await uow.commit()


def register(runtime: ServiceRuntime) -> None:
    async def handle(batch: Sequence[Received]) -> None:
        await handle_batch(runtime, batch)

    subscribe(
        runtime.broker, runtime.settings, group=GROUP, topics=[PAYMENT_EVENTS], handler=handle
    )
