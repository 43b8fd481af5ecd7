"""Shared steps of the whole-system tests: waiting, reading topics, metrics and databases."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from payroute_bench.books import ledger_movements

T = TypeVar("T")

CARD = {"type": "card", "token": "pm_card_visa"}


async def wait_for(
    probe: Callable[[], Awaitable[T]], *, timeout: float, interval: float = 0.05, what: str = ""
) -> T:
    """Call `probe` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}")
        await asyncio.sleep(interval)


def api(stack: Any, key: str | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=stack.url("gateway-api"),
        headers={"Authorization": f"Bearer {key or stack.api_key}"},
        timeout=10,
    )


async def create_payment(client: httpx.AsyncClient, amount: int = 10_000, **extra: Any) -> dict:
    body = {"amount": amount, "currency": "PHP", "payment_method": CARD, **extra}
    response = await client.post("/v1/payments", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def status_of(client: httpx.AsyncClient, payment_id: str) -> str:
    response = await client.get(f"/v1/payments/{payment_id}")
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def status_becomes(
    client: httpx.AsyncClient, payment_id: str, status: str, *, timeout: float = 20
) -> dict:
    """The payment as shown once it reaches `status`; fail after `timeout` seconds."""

    async def reached() -> dict | None:
        shown = (await client.get(f"/v1/payments/{payment_id}")).json()
        return shown if shown["status"] == status else None

    return await wait_for(reached, timeout=timeout, what=f"{payment_id} to become {status}")


async def metric(stack: Any, name: str, **labels: str) -> float:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"{stack.url('metrics-exporter')}/metrics")).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


async def ledger(stack: Any, payment_id: str | None = None) -> list[dict]:
    return await ledger_movements(stack.url("provider-simulator"), payment_id)


async def query(stack: Any, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    url = stack.database_url(service).replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(url)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def read_topic(stack: Any, topic: str, *, timeout: float = 2.0) -> list[Any]:
    """Every record currently in `topic` (all partitions, from the start)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=stack.bootstrap_servers,
        enable_auto_commit=False,
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    try:
        name = f"{stack.topic_prefix}{topic}"
        partitions = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name) or []]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(name, p) for p in consumer.partitions_for_topic(name) or []
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=100)
            fetched = [r for rs in batch.values() for r in rs]
            records += fetched
            if not fetched and records:
                break
        return records
    finally:
        await consumer.stop()


async def produce(
    stack: Any, topic: str, value: bytes, *, key: bytes | None = None, partition: int | None = None
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(
            f"{stack.topic_prefix}{topic}", value, key=key, partition=partition
        )
    finally:
        await producer.stop()
