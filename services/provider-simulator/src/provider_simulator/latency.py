"""Latency a simulated provider adds to a request: a median, an optional long tail, jitter.

The tail is lognormal, fitted to two numbers people quote for real providers: the median
(`latency_ms`) and the 99th percentile (`latency_p99_ms`). Jitter adds a uniform
`[0, latency_jitter_ms)` on top. Pure: the randomness is passed in.
"""

import math
import random
from statistics import NormalDist

Z_99 = NormalDist().inv_cdf(0.99)


def sample_ms(rng: random.Random, *, median_ms: float, p99_ms: float, jitter_ms: float) -> float:
    """One latency draw. Without a p99 above the median the base is exactly the median."""
    base = median_ms
    if median_ms > 0 and p99_ms > median_ms:
        sigma = math.log(p99_ms / median_ms) / Z_99
        base = rng.lognormvariate(math.log(median_ms), sigma)
    if jitter_ms > 0:
        base += rng.uniform(0, jitter_ms)
    return base
