"""`payroute_consumer_lag` from what the Kafka client already knows.

Every fetch answer carries each partition's end offset (the client keeps it as the
partition's `highwater`), and the client tracks its own position; their difference
is the records not yet handed to the service. Reading both costs no request to the
broker, so it is done before each batch rather than by an admin client on a timer.
A partition not fetched yet since it was assigned has no known end: it counts 0
until its first fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import structlog
from aiokafka.structs import TopicPartition

from payroute_common.service_metrics import CONSUMER_LAG

log = structlog.get_logger(__name__)


@runtime_checkable
class LagSource(Protocol):
    """What lag is read from: aiokafka's consumer (FastStream's test broker has none)."""

    def assignment(self) -> set[TopicPartition]: ...

    def highwater(self, partition: TopicPartition) -> int | None: ...

    async def position(self, partition: TopicPartition) -> int: ...


class ConsumerLag:
    """One subscriber's lag per topic; `topics` maps each subscribed topic's full name
    (with the environment's prefix) to its label (the declared name)."""

    def __init__(self, service: str, topics: Mapping[str, str]) -> None:
        self._topics = dict(topics)
        self._gauges = {
            label: CONSUMER_LAG.labels(service=service, topic=label) for label in topics.values()
        }

    async def observe(self, consumer: object) -> None:
        """Set each topic's lag from `consumer`'s assigned partitions; never raises
        (a partition revoked while it is read leaves the previous value)."""
        if not isinstance(consumer, LagSource):
            return
        try:
            totals = await self._lag(consumer)
        except Exception:
            log.debug("consumer_lag_not_read", exc_info=True)
            return
        for label, lag in totals.items():
            self._gauges[label].set(lag)

    async def _lag(self, consumer: LagSource) -> dict[str, int]:
        totals = dict.fromkeys(self._gauges, 0)
        for partition in consumer.assignment():
            label = self._topics.get(partition.topic)
            end = consumer.highwater(partition) if label is not None else None
            if label is None or end is None:
                continue
            totals[label] += max(0, end - await consumer.position(partition))
        return totals
