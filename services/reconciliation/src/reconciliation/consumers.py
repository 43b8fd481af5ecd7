"""reconciliation's subscription: payment events feed its ledger view, and key
announcements its copy of the API keys (one consumer group, one inbox)."""

from collections.abc import Sequence

from payroute_common.consumer import Received, subscribe
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import ACCESS_KEYS, PAYMENT_EVENTS
from reconciliation.handlers import CONSUMER, handle_batch
from reconciliation.store import ReconciliationUnitOfWork


def register(runtime: ServiceRuntime) -> None:
    async def handle(batch: Sequence[Received]) -> None:
        uow = runtime.unit_of_work(ReconciliationUnitOfWork)
        await handle_batch([(item.envelope.event_id, item.message) for item in batch], uow=uow)

    subscribe(
        runtime.broker,
        runtime.settings,
        group=CONSUMER,
        topics=[PAYMENT_EVENTS, ACCESS_KEYS],
        handler=handle,
    )
