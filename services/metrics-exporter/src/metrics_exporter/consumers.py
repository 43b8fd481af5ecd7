"""metrics-exporter's subscription: payment events and reconciliation events feed the
counters, histograms and gauges, a batch's at once. Webhooks are counted where they arrive
(webhook-ingest exports `payroute_webhooks_total`), so their topic is not read here."""

from collections.abc import Callable, Sequence
from functools import partial

from metrics_exporter.cache import CounterCache
from metrics_exporter.handlers import CONSUMER, count_events
from metrics_exporter.store import MetricsUnitOfWork
from payroute_common.consumer import BatchHandler, Received, subscribe
from payroute_common.consumer_dispatch import InboxDispatcher, PerBatch
from payroute_common.envelope import Message
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import PAYMENT_EVENTS, RECONCILIATION_EVENTS

UnitOfWorkFactory = Callable[[], MetricsUnitOfWork]


def counter(cache: CounterCache, new_unit_of_work: UnitOfWorkFactory) -> BatchHandler:
    """Each batch counted in one transaction, under the cache's lock until the cache has
    the batch's deltas: a re-read of the table never counts them a second time."""
    routes = {Message: PerBatch(partial(count_events, cache=cache))}
    dispatch = InboxDispatcher(CONSUMER, new_unit_of_work, routes)

    async def count_batch(batch: Sequence[Received]) -> None:
        async with cache.lock:
            await dispatch(batch)

    return count_batch


def register(
    runtime: ServiceRuntime, cache: CounterCache, new_unit_of_work: UnitOfWorkFactory
) -> None:
    subscribe(
        runtime.broker,
        runtime.settings,
        group=CONSUMER,
        topics=[PAYMENT_EVENTS, RECONCILIATION_EVENTS],
        handler=counter(cache, new_unit_of_work),
    )
