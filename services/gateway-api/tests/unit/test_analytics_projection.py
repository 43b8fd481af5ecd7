"""Each payment adds to the analytics buckets once, whatever the events' order and repeats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gateway_api.analytics.facts import (
    PROCESSING_BOUNDS_MS,
    BucketKey,
    Figures,
    PaymentFact,
    fact_of,
    histogram_bucket,
)
from gateway_api.analytics.projection import Changes, changes, project_payment_events
from payroute_common.messages import Fees, PaymentCaptured, PaymentFailure, PaymentSnapshot

CREATED = datetime(2025, 3, 1, 10, 17, tzinfo=UTC)
FEES = Fees(provider_fee=300, platform_fee=100, net=9_600)


def snapshot(version: int, status: str, payment_id: str = "pay_1", **kw: Any) -> PaymentSnapshot:
    values: dict[str, Any] = {
        "payment_id": payment_id,
        "merchant_id": "mch_1",
        "version": version,
        "status": status,
        "amount": 10_000,
        "amount_capturable": 0,
        "amount_captured": 10_000 if status in {"captured", "partially_refunded"} else 0,
        "amount_refunded": 0,
        "currency": "PHP",
        "capture_method": "automatic",
        "payment_method_type": "card",
        "provider": "stripe",
        "provider_reference": None,
        "failure": None,
        "created_at": CREATED,
        "updated_at": CREATED + timedelta(seconds=version),
        "fees": FEES if status in {"captured", "partially_refunded"} else None,
    }
    values.update(kw)
    return PaymentSnapshot.model_validate(values)


HISTORY = [
    snapshot(1, "processing", provider=None),
    snapshot(2, "processing"),
    snapshot(3, "captured"),
    snapshot(4, "partially_refunded"),
]


def totals(batches: Sequence[Sequence[PaymentSnapshot]]) -> tuple[dict[BucketKey, Figures], Any]:
    """Apply `batches` one after another, as the store would, and sum what the buckets got."""
    stored: dict[str, PaymentFact] = {}
    buckets: dict[BucketKey, Figures] = {}
    for batch in batches:
        result = changes(stored, batch)
        stored.update({f.payment_id: f for f in result.facts})
        for key, figures in result.buckets.items():
            buckets[key] = buckets.get(key, Figures()) + figures
    return {k: f for k, f in buckets.items() if not f.is_zero()}, stored


def test_a_captured_payment_adds_its_money_and_processing_time_to_its_hour() -> None:
    buckets, _ = totals([HISTORY])

    ((key, figures),) = buckets.items()
    assert key == BucketKey("mch_1", CREATED.replace(minute=0), "stripe", "card", "PHP")
    assert (figures.payments, figures.succeeded, figures.failed) == (1, 1, 0)
    assert (figures.volume, figures.provider_fees, figures.platform_fees, figures.net) == (
        10_000,
        300,
        100,
        9_600,
    )
    assert (figures.processing_ms_sum, figures.processed) == (3_000, 1)
    assert figures.histogram[histogram_bucket(3_000)] == 1


@given(st.permutations(HISTORY), st.integers(min_value=1, max_value=4), st.booleans())
def test_order_batching_and_repeats_change_nothing(
    events: list[PaymentSnapshot], cut: int, repeat: bool
) -> None:
    batches = [events[:cut], events[cut:]] + ([list(reversed(events))] if repeat else [])

    assert totals(batches) == totals([HISTORY])


def test_a_failover_moves_the_payment_to_the_provider_that_answered() -> None:
    buckets, _ = totals([[snapshot(2, "processing")], [snapshot(3, "captured", provider="xendit")]])

    assert [key.provider for key in buckets] == ["xendit"]


def test_a_failed_payment_counts_its_reason_once() -> None:
    declined = PaymentFailure(code="card_declined", message="declined")
    failed = snapshot(2, "failed", failure=declined)
    first = changes({}, [snapshot(1, "processing"), failed])
    again = changes({f.payment_id: f for f in first.facts}, [failed])

    assert [(k.provider, k.reason, n) for k, n in first.failures.items()] == [
        ("stripe", "card_declined", 1)
    ]
    assert not again  # nothing new: no write at all


def test_an_older_snapshot_can_only_shorten_the_processing_time() -> None:
    late_refund = changes({}, [snapshot(9, "partially_refunded")])
    stored = {f.payment_id: f for f in late_refund.facts}
    capture = changes(stored, [snapshot(3, "captured")])

    (fact,) = capture.facts
    assert (fact.version, fact.processing_ms) == (9, 3_000)
    (figures,) = capture.buckets.values()
    assert figures.processing_ms_sum == 3_000 - 9_000
    assert figures.payments == 0  # still one payment


def test_open_and_canceled_payments() -> None:
    assert fact_of(snapshot(1, "pending_verification")).outcome == "open"
    assert fact_of(snapshot(5, "canceled")).outcome == "succeeded"  # it was authorized
    assert fact_of(snapshot(1, "processing", provider=None)).provider == "none"


def test_histogram_bounds_are_inclusive() -> None:
    assert histogram_bucket(0) == 0
    assert histogram_bucket(PROCESSING_BOUNDS_MS[0]) == 0
    assert histogram_bucket(PROCESSING_BOUNDS_MS[0] + 1) == 1
    assert histogram_bucket(10**12) == len(PROCESSING_BOUNDS_MS)


class FakeStore:
    def __init__(self) -> None:
        self.facts: dict[str, PaymentFact] = {}
        self.saved: list[Changes] = []

    async def facts_for_update(self, payment_ids: Sequence[str]) -> dict[str, PaymentFact]:
        return {p: self.facts[p] for p in payment_ids if p in self.facts}

    async def save(self, batch: Changes) -> None:
        self.saved.append(batch)
        self.facts.update({f.payment_id: f for f in batch.facts})


async def test_the_projection_writes_only_what_changed() -> None:
    store = FakeStore()
    events = [
        PaymentCaptured(payment=snapshot(3, "captured", payment_id=f"pay_{i}")) for i in (1, 2)
    ]

    await project_payment_events(events, store=store)
    await project_payment_events(events, store=store)
    await project_payment_events([], store=store)

    assert len(store.saved) == 1
    (figures,) = store.saved[0].buckets.values()
    assert figures.payments == 2
