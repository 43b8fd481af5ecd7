"""SIGKILL the orchestrator mid-flow: no payment lost, none processed twice."""

import asyncio
import json
from collections import Counter

import pytest

from .helpers import api, create_payment, ledger, metric, query, read_topic, status_of, wait_for

pytestmark = pytest.mark.integration

PAYMENTS = 150
CAPTURED = {"status": "captured", "provider": "stripe", "currency": "PHP"}


async def test_killing_the_orchestrator_loses_nothing_and_duplicates_nothing(stack) -> None:
    counted_before = await metric(stack, "payroute_payments_total", **CAPTURED)
    created: list[str] = []
    async with api(stack) as client:

        async def load() -> None:
            for _ in range(PAYMENTS // 10):
                batch = await asyncio.gather(*(create_payment(client) for _ in range(10)))
                created.extend(p["id"] for p in batch)
                await asyncio.sleep(0.02)

        async def flowing() -> bool:
            return len(created) >= 40

        traffic = asyncio.create_task(load())
        await wait_for(flowing, timeout=30, what="traffic")
        stack.kill("orchestrator")
        await asyncio.sleep(0.5)
        await asyncio.to_thread(stack.restart, "orchestrator")
        await traffic

        async def all_captured() -> bool:
            statuses = await asyncio.gather(*(status_of(client, pid) for pid in created))
            return all(s == "captured" for s in statuses)

        await wait_for(all_captured, timeout=60, interval=0.5, what="every payment captured")

    assert len(created) == PAYMENTS
    charges = [m for m in await ledger(stack) if m["payment_id"] in set(created)]
    assert Counter(m["payment_id"] for m in charges) == dict.fromkeys(created, 1)
    attempts = await query(
        stack,
        "provider-worker",
        "SELECT payment_id, count(*) AS n FROM attempt_log WHERE payment_id = ANY($1) "
        "GROUP BY payment_id",
        created,
    )
    assert {row["payment_id"]: row["n"] for row in attempts} == dict.fromkeys(created, 1)
    captured_events = Counter(
        json.loads(r.value)["aggregate_id"]
        for r in await read_topic(stack, "payment.events", timeout=5)
        if b"PaymentCaptured" in r.value
    )
    distinct = {
        json.loads(r.value)["event_id"]
        for r in await read_topic(stack, "payment.events", timeout=5)
        if b"PaymentCaptured" in r.value and json.loads(r.value)["aggregate_id"] in set(created)
    }
    assert len(distinct) == PAYMENTS
    assert all(captured_events[pid] >= 1 for pid in created)

    async def counted() -> bool:
        return (
            await metric(stack, "payroute_payments_total", **CAPTURED) >= counted_before + PAYMENTS
        )

    await wait_for(counted, timeout=10, what="metrics to count every capture")
    assert await metric(stack, "payroute_payments_total", **CAPTURED) == counted_before + PAYMENTS
