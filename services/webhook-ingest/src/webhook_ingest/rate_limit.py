"""Per-source token buckets: the 429 of SPEC section 6, before anything is read or stored.

A request over the limit is answered 429 and counted, but not written to the
audit log: a flood is the attack, and storing each of its requests would hand
the attacker the database's write capacity. Real providers send in bursts
(retries after an outage), so the defaults are generous.

The table of buckets is bounded (least recently seen source dropped first); a
dropped source starts again with a full bucket, which errs on the side of
accepting a provider's webhooks.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable


class TokenBuckets:
    """`rate` tokens per second per source, at most `burst` saved up; one token per request."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_sources: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._max_sources = max_sources
        self._clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def spend_token(self, source: Hashable) -> float:
        """0.0 if `source` may send now (a token is spent), else seconds until it may."""
        now = self._clock()
        tokens, last = self._buckets.pop(source, (self._burst, now))
        tokens = min(self._burst, tokens + (now - last) * self._rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self._rate
        self._buckets[source] = (tokens, now)
        if len(self._buckets) > self._max_sources:
            self._buckets.popitem(last=False)
        return wait
