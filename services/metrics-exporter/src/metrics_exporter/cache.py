"""The in-memory copy of the counters table that `/metrics` reads.

Loaded from the table before first use; after each committed batch the same
deltas are added here. `merge_stored` takes the larger of cached and stored
values: stored counters only grow, so a periodic re-read picks up other
replicas' counts without ever moving a counter down. Whoever reads the table
and whoever commits and adds deltas hold `lock`, so a delta is never counted
both through the table and through `add`.

Gauges are not sums: each committed batch and each re-read replaces them with
the values read from the table (`set_gauges`), the latest read winning; a series
the read no longer has (a class with no open issue left) is gone, not stale.
"""

import asyncio
from collections.abc import Mapping

from metrics_exporter.metrics import CounterKey, GaugeKey


class CounterCache:
    def __init__(self) -> None:
        self._values: dict[CounterKey, int] = {}
        self._gauges: dict[GaugeKey, int] = {}
        self.loaded = False
        self.lock = asyncio.Lock()

    def merge_stored(self, stored: Mapping[CounterKey, int]) -> None:
        for key, value in stored.items():
            self._values[key] = max(self._values.get(key, 0), value)
        self.loaded = True

    def add(self, deltas: Mapping[CounterKey, int]) -> None:
        for key, value in deltas.items():
            self._values[key] = self._values.get(key, 0) + value

    def snapshot(self) -> dict[CounterKey, int]:
        return dict(self._values)

    def set_gauges(self, values: Mapping[GaugeKey, int]) -> None:
        self._gauges = dict(values)

    def gauges(self) -> dict[GaugeKey, int]:
        return dict(self._gauges)
