"""Counting a batch of events exactly once, and keeping the cache in step with the table."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import structlog

from metrics_exporter.cache import CounterCache
from metrics_exporter.metrics import Counted, CounterKey
from metrics_exporter.reconciliation import issue_states
from metrics_exporter.rules import count, latest_statuses
from metrics_exporter.store import HandlerUnitOfWork
from payroute_common.envelope import Envelope, Message

log = structlog.get_logger(__name__)

CONSUMER = "metrics-exporter"


def tally(counted: Iterable[Counted], first_time: set[str]) -> dict[CounterKey, int]:
    """Summed increments; a `once_key` counts only if first seen now, and only once."""
    unclaimed = set(first_time)
    deltas: Counter[CounterKey] = Counter()
    for item in counted:
        if item.once_key is not None:
            if item.once_key not in unclaimed:
                continue
            unclaimed.discard(item.once_key)
        for inc in item.increments:
            deltas[inc.key] += inc.value
    return dict(deltas)


async def count_events(
    events: Sequence[Message],
    *,
    uow: HandlerUnitOfWork,
    envelopes: Sequence[Envelope],
    cache: CounterCache,
) -> None:
    """Once-only claims, counter upsert and gauge state for a batch's new events; the
    cache gets the same deltas, and the gauges as read back, once the batch commits.

    The caller holds `cache.lock` until then (consumers.py)."""
    if not cache.loaded:
        cache.merge_stored(await uow.counters.load_all())
    counted = [item for message in events for item in count(message)]
    first_time = await uow.counters.claim_once(c.once_key for c in counted if c.once_key)
    deltas = tally(counted, first_time)
    await uow.counters.add(deltas)
    await uow.gauges.track(latest_statuses(events))
    await uow.gauges.track_issues(issue_states(events))
    gauges = await uow.gauges.read()

    def update_cache() -> None:
        cache.add(deltas)
        cache.set_gauges(gauges)

    uow.when_committed(update_cache)


async def refresh_cache(cache: CounterCache, *, uow: HandlerUnitOfWork) -> None:
    """Re-read the table (first load, or other replicas' counts)."""
    async with cache.lock:
        async with uow:
            stored = await uow.counters.load_all()
            gauges = await uow.gauges.read()
        cache.merge_stored(stored)
        cache.set_gauges(gauges)


async def refresh_forever(
    cache: CounterCache, unit_of_work: Callable[[], HandlerUnitOfWork], interval_s: float
) -> None:
    """Load the cache at start, then re-read the table every `interval_s`."""
    while True:
        try:
            await refresh_cache(cache, uow=unit_of_work())
        except Exception:
            log.exception("metrics_cache_refresh_failed")
        await asyncio.sleep(interval_s)
