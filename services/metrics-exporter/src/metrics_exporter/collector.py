"""A Prometheus collector over the cache: one family per declared counter and gauge."""

import json
from collections import defaultdict
from collections.abc import Iterable

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from metrics_exporter.cache import CounterCache
from metrics_exporter.metrics import COUNTERS, GAUGES, GaugeDef, GaugeKey, labels_key


class CounterCollector(Collector):
    def __init__(self, cache: CounterCache) -> None:
        self._cache = cache

    def collect(self) -> Iterable[Metric]:
        series: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (name, labels), value in sorted(self._cache.snapshot().items()):
            series[name].append((labels, value))
        for counter in COUNTERS:
            family = CounterMetricFamily(counter.name, counter.help, labels=counter.labels)
            for labels, value in series[counter.name]:
                values = json.loads(labels)
                family.add_metric([values.get(label, "") for label in counter.labels], value)
            yield family
        gauges = self._cache.gauges()
        for gauge in GAUGES:
            yield _gauge_family(gauge, gauges)


def _gauge_family(gauge: GaugeDef, values: dict[GaugeKey, int]) -> GaugeMetricFamily:
    """Every series the cache has, plus zeros for the label sets always shown."""
    if not gauge.labels:
        return GaugeMetricFamily(gauge.name, gauge.help, value=values.get((gauge.name, "{}"), 0))
    family = GaugeMetricFamily(gauge.name, gauge.help, labels=gauge.labels)
    series = {labels_key(labels): 0 for labels in gauge.always}
    series |= {labels: value for (name, labels), value in values.items() if name == gauge.name}
    for labels, value in sorted(series.items()):
        shown = json.loads(labels)
        family.add_metric([shown.get(label, "") for label in gauge.labels], value)
    return family


def registry_for(cache: CounterCache) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(CounterCollector(cache))
    return registry
