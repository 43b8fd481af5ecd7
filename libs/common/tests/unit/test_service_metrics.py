"""The metrics every service exports the same way: consumer lag, dead letters, outbox
backlog, and HTTP requests per route template."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
from aiokafka.structs import ConsumerRecord, TopicPartition
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import MetaData

from payroute_common.consumer import BatchConsumer, Received, subscribe
from payroute_common.consumer_lag import ConsumerLag
from payroute_common.http_metrics import HttpMetricsMiddleware
from payroute_common.outbox import OutboxRelay, define_outbox
from payroute_common.service_metrics import CONSUMER_LAG
from payroute_common.settings import ServiceSettings
from payroute_common.topics import PAYMENT_COMMANDS, PAYMENT_EVENTS


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def settings(service: str, prefix: str = "env1.") -> ServiceSettings:
    return ServiceSettings(
        service_name=service,
        port=8000,
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none",
        TOPIC_PREFIX=prefix,
    )


class FakeConsumer:
    """What aiokafka's consumer knows about its partitions: ends and positions."""

    def __init__(
        self, ends: dict[TopicPartition, int | None], positions: dict[TopicPartition, int]
    ):
        self.ends = ends
        self.positions = positions

    def assignment(self) -> set[TopicPartition]:
        return set(self.ends)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.ends[partition]

    async def position(self, partition: TopicPartition) -> int:
        return self.positions[partition]


async def test_lag_is_end_minus_position_summed_per_topic() -> None:
    lag = ConsumerLag("lagging", {"env1.payment.commands": "payment.commands", "env1.x": "x"})
    commands = [TopicPartition("env1.payment.commands", p) for p in range(3)]
    consumer = FakeConsumer(
        {commands[0]: 120, commands[1]: 40, commands[2]: None},  # 2: not fetched yet
        {commands[0]: 100, commands[1]: 40, commands[2]: 0},
    )

    await lag.observe(consumer)

    assert sample("payroute_consumer_lag", service="lagging", topic="payment.commands") == 20
    assert sample("payroute_consumer_lag", service="lagging", topic="x") == 0


async def test_lag_is_left_alone_without_a_kafka_consumer() -> None:
    lag = ConsumerLag("untouched", {"t": "t"})
    CONSUMER_LAG.labels(service="untouched", topic="t").set(5)
    await lag.observe(object())  # FastStream's test broker hands no aiokafka consumer
    assert sample("payroute_consumer_lag", service="untouched", topic="t") == 5


def test_a_subscriber_shows_its_topics_at_zero_from_the_start() -> None:
    class Broker:
        def subscriber(self, *topics: str, **options: Any) -> Any:
            assert topics == ("env1.payment.commands", "env1.payment.events")
            return lambda handler: handler

    async def handle(batch: Sequence[Received]) -> None:
        return None

    subscribe(
        Broker(),  # type: ignore[arg-type]
        settings("fresh"),
        group="fresh",
        topics=[PAYMENT_COMMANDS, PAYMENT_EVENTS],
        handler=handle,
    )

    for topic in ("payment.commands", "payment.events"):
        assert sample("payroute_consumer_lag", service="fresh", topic=topic) == 0
        assert sample("payroute_dead_letters_total", service="fresh", topic=topic) == 0


async def test_each_dead_lettered_record_is_counted_under_its_topic() -> None:
    published: list[str] = []

    class Broker:
        async def publish(self, body: bytes, topic: str, **options: Any) -> asyncio.Future[None]:
            published.append(topic)
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done

    async def handle(batch: Sequence[Received]) -> None:
        raise AssertionError("not reached: nothing decodes")

    consumer = BatchConsumer(Broker(), settings("deadly"), "deadly", handle)  # type: ignore[arg-type]
    before = sample("payroute_dead_letters_total", service="deadly", topic="payment.commands") or 0

    await consumer.process([record(b"not json", 1), record(b"{}", 2)])

    assert published == ["env1.deadly.dlq", "env1.deadly.dlq"]
    after = sample("payroute_dead_letters_total", service="deadly", topic="payment.commands")
    assert after == before + 2


def record(value: bytes, offset: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="env1.payment.commands",
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"pay_1",
        value=value,
        checksum=None,
        serialized_key_size=5,
        serialized_value_size=len(value),
        headers=[],
    )


class CountedRelay(OutboxRelay):
    """A relay whose table holds `waiting` rows; counts how often it was counted."""

    waiting = 0
    counts = 0

    async def backlog(self, cap: int = 100_000) -> int:
        self.counts += 1
        return min(self.waiting, cap)


def relay(service: str) -> CountedRelay:
    return CountedRelay(
        None,  # type: ignore[arg-type]  # never opened: backlog() is replaced
        lambda: None,  # never called
        define_outbox(MetaData()),
        batch_size=10,
        poll_interval_s=0.5,
        gather_s=0,
        lock_name=service,
        backlog_check_s=3600,
    )


async def test_a_drained_outbox_shows_zero_without_counting() -> None:
    drained = relay("drained")
    drained.waiting = 7
    await drained._show_backlog(3)  # a short batch: the table was drained
    assert sample("payroute_outbox_backlog", service="drained") == 0
    assert drained.counts == 0


async def test_a_busy_or_unled_relay_counts_its_backlog_at_most_every_interval() -> None:
    busy = relay("busy")
    busy.waiting = 2500
    await busy._show_backlog(10)  # a full batch: more may wait
    assert sample("payroute_outbox_backlog", service="busy") == 2500
    busy.waiting = 3000
    await busy._show_backlog(None)  # another replica holds the lock: not counted again yet
    assert (busy.counts, sample("payroute_outbox_backlog", service="busy")) == (1, 2500)


async def test_http_requests_are_counted_by_route_template() -> None:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("boom")

    metered = HttpMetricsMiddleware(app, service="edge")
    transport = httpx.ASGITransport(app=metered, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        for thing_id in ("a", "b", "c"):
            await client.get(f"/things/{thing_id}")
        await client.get("/broken")

    labels = {"service": "edge", "route": "/things/{thing_id}", "method": "GET"}
    assert sample("payroute_http_requests_total", **labels, status="200") == 3
    assert sample("payroute_http_request_seconds_count", **labels) == 3
    assert (
        sample(
            "payroute_http_requests_total",
            service="edge",
            route="/broken",
            method="GET",
            status="500",
        )
        == 1
    )
