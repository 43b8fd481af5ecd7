"""Payment events → analytics buckets, in the same transaction as the read model.

The consumer's inbox already drops an event delivered twice; what is left is
order: several events of one payment may come in one batch, or an older one
after a newer. Each payment's `PaymentFact` is kept (locked while the batch
runs), moved by every snapshot (`facts.merged`), and the buckets take the
difference between what the payment added before and what it adds now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from gateway_api.analytics.facts import BucketKey, FailureKey, Figures, PaymentFact, merged
from payroute_common.messages import PaymentEvent, PaymentSnapshot


@dataclass(frozen=True)
class Changes:
    """What one batch changes: the facts to store and what to add to each bucket."""

    facts: list[PaymentFact]
    buckets: dict[BucketKey, Figures]
    failures: dict[FailureKey, int]

    def __bool__(self) -> bool:
        return bool(self.facts)


class ProjectionStore(Protocol):
    async def facts_for_update(self, payment_ids: Sequence[str]) -> dict[str, PaymentFact]: ...
    async def save(self, changes: Changes) -> None: ...


def changes(stored: Mapping[str, PaymentFact], snapshots: Iterable[PaymentSnapshot]) -> Changes:
    """Fold `snapshots` into the `stored` facts; the buckets get each payment's difference."""
    latest: dict[str, PaymentFact | None] = dict(stored)
    for snapshot in snapshots:
        latest[snapshot.payment_id] = merged(latest.get(snapshot.payment_id), snapshot)
    facts: list[PaymentFact] = []
    buckets: defaultdict[BucketKey, Figures] = defaultdict(Figures)
    failures: defaultdict[FailureKey, int] = defaultdict(int)
    for payment_id, fact in latest.items():
        before = stored.get(payment_id)
        if fact is None or fact == before:
            continue
        facts.append(fact)
        if before is not None:
            buckets[before.bucket] += -before.figures()
            if before.failure is not None:
                failures[before.failure] -= 1
        buckets[fact.bucket] += fact.figures()
        if fact.failure is not None:
            failures[fact.failure] += 1
    return Changes(
        facts=facts,
        buckets={key: f for key, f in buckets.items() if not f.is_zero()},
        failures={key: n for key, n in failures.items() if n},
    )


async def project_payment_events(events: Sequence[PaymentEvent], *, store: ProjectionStore) -> None:
    """Move the analytics buckets by `events` (the caller commits, with the read model)."""
    if not events:
        return
    snapshots = [event.payment for event in events]
    stored = await store.facts_for_update(sorted({s.payment_id for s in snapshots}))
    batch = changes(stored, snapshots)
    if batch:
        await store.save(batch)
