"""metrics-exporter's subscription: payment events and reconciliation events feed the
counters, histograms and gauges. Webhooks are counted where they arrive
(webhook-ingest exports `payroute_webhooks_total`), so their topic is not read here."""

from collections.abc import Sequence

from metrics_exporter.cache import CounterCache
from metrics_exporter.handlers import CONSUMER, handle_batch
from metrics_exporter.store import MetricsUnitOfWork
from payroute_common.consumer import Received, subscribe
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import PAYMENT_EVENTS, RECONCILIATION_EVENTS


def register(runtime: ServiceRuntime, cache: CounterCache) -> None:
    async def handle(batch: Sequence[Received]) -> None:
        uow = runtime.unit_of_work(MetricsUnitOfWork)
        events = [(item.envelope.event_id, item.message) for item in batch]
        await handle_batch(events, uow=uow, cache=cache)

    subscribe(
        runtime.broker,
        runtime.settings,
        group=CONSUMER,
        topics=[PAYMENT_EVENTS, RECONCILIATION_EVENTS],
        handler=handle,
    )
