"""Latency figures from per-request samples (milliseconds)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank `q` quantile (0 < q <= 1) of `values`; NaN when there are none."""
    if not values:
        return float("nan")
    if not 0 < q <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {q}")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summary(values: Sequence[float]) -> dict[str, float | None]:
    """p50, p95, p99 and max, rounded to 0.1 ms; None for each when there are no samples."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)
    quantiles = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
    figures = {name: percentile(ordered, q) for name, q in quantiles}
    figures["max"] = ordered[-1]
    return {name: round(value, 1) for name, value in figures.items()}
