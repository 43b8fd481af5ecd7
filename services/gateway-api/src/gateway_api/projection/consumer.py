"""gateway-api's subscription: payment events keep the payments and refunds read models,
the payment timeline and the analytics buckets current, a batch at a time."""

from collections.abc import Callable, Sequence

from gateway_api.analytics.projection import project_payment_events
from gateway_api.analytics.store import SqlAnalyticsStore
from gateway_api.projection.read_model import apply_payment_events
from gateway_api.unit_of_work import GatewayUnitOfWork
from payroute_common.consumer import subscribe
from payroute_common.consumer_dispatch import InboxDispatcher, PerBatch
from payroute_common.envelope import Envelope
from payroute_common.messages import PaymentEvent
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import PAYMENT_EVENTS

GROUP = "gateway-api"


async def project(
    events: Sequence[PaymentEvent], *, uow: GatewayUnitOfWork, envelopes: Sequence[Envelope]
) -> None:
    """Read models, timeline and analytics buckets move in the batch's one transaction."""
    await apply_payment_events(events, uow=uow, event_ids=[e.event_id for e in envelopes])
    await project_payment_events(events, store=SqlAnalyticsStore(uow.session))


def dispatcher(
    new_unit_of_work: Callable[[], GatewayUnitOfWork],
) -> InboxDispatcher[GatewayUnitOfWork]:
    return InboxDispatcher(GROUP, new_unit_of_work, {PaymentEvent: PerBatch(project)})


def register(runtime: ServiceRuntime, new_unit_of_work: Callable[[], GatewayUnitOfWork]) -> None:
    subscribe(
        runtime.broker,
        runtime.settings,
        group=GROUP,
        topics=[PAYMENT_EVENTS],
        handler=dispatcher(new_unit_of_work),
    )
