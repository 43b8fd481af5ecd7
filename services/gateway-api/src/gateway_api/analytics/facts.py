"""What one payment adds to the analytics figures. Pure: no I/O.

Each payment is one `PaymentFact`, built from the newest snapshot the gateway has
seen of it. What it adds to its bucket (`Figures` under a `BucketKey`: merchant,
hour of creation, provider, method, currency) is a function of the fact alone, so
when a newer snapshot changes the fact (captured after authorized, failed over to
another provider) the buckets take the difference. Each payment therefore counts
once, whatever the number of events that carry it and their order.

Outcome: `succeeded` once the payment was authorized or captured (a later cancel,
refund or dispute keeps it succeeded; the money figures say what was captured),
`failed` when it failed, `open` before either. Processing time runs from creation
to the first snapshot showing that outcome: an older snapshot arriving late can
only shorten it. It goes into fixed histogram buckets (`PROCESSING_BOUNDS_MS`),
from which p95 is estimated.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Literal

from payroute_common.messages import PaymentSnapshot

Outcome = Literal["open", "succeeded", "failed"]

# Upper bounds (inclusive, ms) of the processing-time buckets; one more bucket above the last.
PROCESSING_BOUNDS_MS: tuple[int, ...] = (
    100,
    250,
    500,
    1_000,
    2_500,
    5_000,
    10_000,
    30_000,
    60_000,
    300_000,
    1_800_000,
    3_600_000,
    86_400_000,
)
HISTOGRAM_BUCKETS = len(PROCESSING_BOUNDS_MS) + 1
SUCCEEDED_STATUSES = frozenset(
    {"authorized", "captured", "partially_refunded", "refunded", "disputed", "canceled"}
)
_MILLISECOND = timedelta(milliseconds=1)
NO_PROVIDER = "none"  # a payment that failed (or waits) before any provider was chosen
UNKNOWN_REASON = "unknown"


def _empty_histogram() -> tuple[int, ...]:
    return (0,) * HISTOGRAM_BUCKETS


@dataclass(frozen=True, order=True)
class BucketKey:
    merchant_id: str
    hour: datetime
    provider: str
    method: str
    currency: str


@dataclass(frozen=True, order=True)
class FailureKey:
    merchant_id: str
    hour: datetime
    provider: str
    reason: str


@dataclass(frozen=True)
class Figures:
    """Additive figures of one bucket (or one payment): money in the bucket's currency."""

    payments: int = 0
    succeeded: int = 0
    failed: int = 0
    volume: int = 0
    provider_fees: int = 0
    platform_fees: int = 0
    net: int = 0
    processing_ms_sum: int = 0
    processed: int = 0
    histogram: tuple[int, ...] = field(default_factory=_empty_histogram)

    def __add__(self, other: Figures) -> Figures:
        values = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name != "histogram"
        }
        histogram = tuple(a + b for a, b in zip(self.histogram, other.histogram, strict=True))
        return Figures(**values, histogram=histogram)

    def __neg__(self) -> Figures:
        values = {f.name: -getattr(self, f.name) for f in fields(self) if f.name != "histogram"}
        return Figures(**values, histogram=tuple(-n for n in self.histogram))

    def is_zero(self) -> bool:
        return self == Figures()


def histogram_bucket(processing_ms: int) -> int:
    """The index of the bucket holding `processing_ms` (each bound is inclusive)."""
    return bisect_left(PROCESSING_BOUNDS_MS, processing_ms)


def outcome_of(status: str) -> Outcome:
    if status == "failed":
        return "failed"
    return "succeeded" if status in SUCCEEDED_STATUSES else "open"


def hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class PaymentFact:
    """One payment as the figures count it (its newest snapshot, earliest processing time)."""

    payment_id: str
    merchant_id: str
    version: int
    created_at: datetime
    provider: str
    method: str
    currency: str
    outcome: Outcome
    volume: int
    provider_fee: int
    platform_fee: int
    net: int
    processing_ms: int | None
    failure_reason: str | None

    @property
    def bucket(self) -> BucketKey:
        hour = hour_of(self.created_at)
        return BucketKey(self.merchant_id, hour, self.provider, self.method, self.currency)

    @property
    def failure(self) -> FailureKey | None:
        if self.outcome != "failed":
            return None
        reason = self.failure_reason or UNKNOWN_REASON
        return FailureKey(self.merchant_id, hour_of(self.created_at), self.provider, reason)

    def figures(self) -> Figures:
        histogram = list(_empty_histogram())
        if self.processing_ms is not None:
            histogram[histogram_bucket(self.processing_ms)] = 1
        return Figures(
            payments=1,
            succeeded=int(self.outcome == "succeeded"),
            failed=int(self.outcome == "failed"),
            volume=self.volume,
            provider_fees=self.provider_fee,
            platform_fees=self.platform_fee,
            net=self.net,
            processing_ms_sum=self.processing_ms or 0,
            processed=int(self.processing_ms is not None),
            histogram=tuple(histogram),
        )


def fact_of(snapshot: PaymentSnapshot) -> PaymentFact:
    """The fact `snapshot` shows on its own."""
    outcome = outcome_of(snapshot.status)
    fees = snapshot.fees
    processing_ms: int | None = None
    if outcome != "open":
        elapsed = snapshot.updated_at - snapshot.created_at
        processing_ms = max(0, elapsed // _MILLISECOND)
    return PaymentFact(
        payment_id=snapshot.payment_id,
        merchant_id=snapshot.merchant_id,
        version=snapshot.version,
        created_at=snapshot.created_at,
        provider=snapshot.provider or NO_PROVIDER,
        method=snapshot.payment_method_type,
        currency=snapshot.currency,
        outcome=outcome,
        volume=snapshot.amount_captured,
        provider_fee=fees.provider_fee if fees else 0,
        platform_fee=fees.platform_fee if fees else 0,
        net=fees.net if fees else snapshot.amount_captured,
        processing_ms=processing_ms,
        failure_reason=(snapshot.failure.code if snapshot.failure else None)
        if outcome == "failed"
        else None,
    )


def merged(stored: PaymentFact | None, snapshot: PaymentSnapshot) -> PaymentFact:
    """The fact after seeing `snapshot`: the newer version wins, the earlier outcome time stays."""
    seen = fact_of(snapshot)
    if stored is None:
        return seen
    newer, older = (seen, stored) if seen.version > stored.version else (stored, seen)
    processing_ms = newer.processing_ms
    if older.outcome == newer.outcome and older.processing_ms is not None:
        processing_ms = (
            older.processing_ms
            if processing_ms is None
            else min(older.processing_ms, processing_ms)
        )
    return replace(newer, processing_ms=processing_ms)
