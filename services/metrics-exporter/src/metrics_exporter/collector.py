"""A Prometheus collector over the cache: one family per declared counter, histogram
and gauge."""

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from metrics_exporter.cache import CounterCache
from metrics_exporter.metrics import (
    COUNTERS,
    GAUGES,
    HISTOGRAMS,
    CounterKey,
    GaugeDef,
    GaugeKey,
    HistogramDef,
    labels_key,
)

Clock = Callable[[], float]  # Unix time in seconds


class CounterCollector(Collector):
    def __init__(self, cache: CounterCache, clock: Clock = time.time) -> None:
        self._cache = cache
        self._clock = clock

    def collect(self) -> Iterable[Metric]:
        counters = self._cache.snapshot()
        series: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (name, labels), value in sorted(counters.items()):
            series[name].append((labels, value))
        for counter in COUNTERS:
            family = CounterMetricFamily(counter.name, counter.help, labels=counter.labels)
            for labels, value in series[counter.name]:
                values = json.loads(labels)
                family.add_metric([values.get(label, "") for label in counter.labels], value)
            yield family
        for histogram in HISTOGRAMS:
            yield histogram_family(histogram, counters)
        gauges = self._cache.gauges()
        now = self._clock()
        for gauge in GAUGES:
            yield _gauge_family(gauge, gauges, now)


def histogram_family(
    histogram: HistogramDef, counters: dict[CounterKey, int]
) -> HistogramMetricFamily:
    """Cumulative buckets, sum in seconds and count, per label set that has observations."""
    per_bucket: dict[tuple[str, ...], dict[str, int]] = defaultdict(dict)
    sums_ms: dict[tuple[str, ...], int] = {}
    for (name, labels), value in counters.items():
        shown = json.loads(labels)
        label_values = tuple(shown.get(label, "") for label in histogram.labels)
        if name == histogram.bucket_counter:
            per_bucket[label_values][shown.get("le", "")] = value
        elif name == histogram.sum_counter:
            sums_ms[label_values] = value
    family = HistogramMetricFamily(histogram.name, histogram.help, labels=histogram.labels)
    for label_values in sorted(per_bucket.keys() | sums_ms.keys()):
        counts, cumulative, buckets = per_bucket.get(label_values, {}), 0, []
        for le in histogram.bounds():
            cumulative += counts.get(le, 0)
            buckets.append((le, float(cumulative)))
        family.add_metric(list(label_values), buckets, sums_ms.get(label_values, 0) / 1000)
    return family


def _gauge_family(gauge: GaugeDef, values: dict[GaugeKey, int], now: float) -> GaugeMetricFamily:
    """Every series the cache has, plus zeros for the label sets always shown."""
    if not gauge.labels:
        kept = values.get((gauge.name, "{}"))
        return GaugeMetricFamily(gauge.name, gauge.help, value=_shown(gauge, kept, now))
    family = GaugeMetricFamily(gauge.name, gauge.help, labels=gauge.labels)
    series = {labels_key(labels): 0 for labels in gauge.always}
    series |= {labels: value for (name, labels), value in values.items() if name == gauge.name}
    for labels, value in sorted(series.items()):
        shown = json.loads(labels)
        family.add_metric([shown.get(label, "") for label in gauge.labels], value)
    return family


def _shown(gauge: GaugeDef, kept: int | None, now: float) -> float:
    """A plain gauge's kept value; an `age` gauge's seconds since the kept moment."""
    if kept is None:
        return 0
    if gauge.age:
        return max(0.0, now - kept / 1000)
    return kept


def registry_for(cache: CounterCache, clock: Clock = time.time) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(CounterCollector(cache, clock))
    return registry
