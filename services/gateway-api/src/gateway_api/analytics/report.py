"""Summed bucket figures → the answer's rows. Pure: no I/O.

Money never adds across currencies: every row is one group in one currency
(`group_by=currency` makes the two the same). `success_rate` is succeeded over
decided (succeeded + failed) payments, None before any is decided; `count` also
holds payments still open. p95 comes from the fixed histogram buckets
(`facts.PROCESSING_BOUNDS_MS`), interpolated linearly inside the bucket it falls
in, as Prometheus' `histogram_quantile` does: exact to the bucket, not to the ms.
Above the last bound it answers the last bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway_api.analytics.facts import PROCESSING_BOUNDS_MS, Figures

P95 = 0.95
SUCCESS_RATE_DIGITS = 4


@dataclass(frozen=True)
class GroupFigures:
    group: str
    currency: str
    figures: Figures


@dataclass(frozen=True)
class PaymentsRow:
    group: str
    currency: str
    count: int
    succeeded: int
    failed: int
    success_rate: float | None
    volume: int
    provider_fees: int
    platform_fees: int
    net: int
    avg_processing_ms: int | None
    p95_processing_ms: int | None


@dataclass(frozen=True)
class FailureRow:
    provider: str
    reason: str
    count: int


def quantile_ms(histogram: tuple[int, ...], q: float) -> int | None:
    """The `q` quantile of the histogram's processing times (None when it is empty)."""
    total = sum(histogram)
    if total <= 0:
        return None
    rank = q * total
    cumulative = 0
    for index, count in enumerate(histogram):
        if count > 0 and cumulative + count >= rank:
            if index == len(PROCESSING_BOUNDS_MS):
                return PROCESSING_BOUNDS_MS[-1]
            lower = PROCESSING_BOUNDS_MS[index - 1] if index else 0
            upper = PROCESSING_BOUNDS_MS[index]
            return round(lower + (upper - lower) * (rank - cumulative) / count)
        cumulative += count
    return PROCESSING_BOUNDS_MS[-1]


def payments_row(summed: GroupFigures) -> PaymentsRow:
    f = summed.figures
    decided = f.succeeded + f.failed
    return PaymentsRow(
        group=summed.group,
        currency=summed.currency,
        count=f.payments,
        succeeded=f.succeeded,
        failed=f.failed,
        success_rate=round(f.succeeded / decided, SUCCESS_RATE_DIGITS) if decided else None,
        volume=f.volume,
        provider_fees=f.provider_fees,
        platform_fees=f.platform_fees,
        net=f.net,
        avg_processing_ms=round(f.processing_ms_sum / f.processed) if f.processed else None,
        p95_processing_ms=quantile_ms(f.histogram, P95),
    )
