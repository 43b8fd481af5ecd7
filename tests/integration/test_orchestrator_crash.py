"""SIGKILL the orchestrator mid-flow, or while retries wait: nothing lost, nothing charged twice."""

import asyncio
import json
from collections import Counter

import pytest

from .helpers import api, create_payment, ledger, metric, query, read_topic, status_of, wait_for

pytestmark = pytest.mark.integration

PAYMENTS = 150
RETRIED = 60
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


async def test_killing_the_orchestrator_while_retries_wait_charges_each_payment_once(
    stack, simulator
) -> None:
    # Stripe declines every charge softly, so each payment waits on a durable retry
    # timer before going to PayMongo; the orchestrator dies with timers still due.
    await simulator.put("/_sim/providers/stripe", json={"soft_decline_rate": 1.0})
    created: list[str] = []
    async with api(stack) as client:

        async def load() -> None:
            for _ in range(RETRIED // 10):
                batch = await asyncio.gather(*(create_payment(client) for _ in range(10)))
                created.extend(p["id"] for p in batch)
                await asyncio.sleep(0.05)

        async def retries_waiting() -> bool:
            return await pending_retries(stack) >= 5

        traffic = asyncio.create_task(load())
        await wait_for(retries_waiting, timeout=30, interval=0.05, what="retries to be waiting")
        stack.kill("orchestrator")
        waiting_when_killed = await pending_retries(stack)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(stack.restart, "orchestrator")
        await traffic

        async def all_settled() -> bool:
            statuses = await asyncio.gather(*(status_of(client, pid) for pid in created))
            return all(s == "captured" for s in statuses)

        await wait_for(all_settled, timeout=90, interval=0.5, what="every payment captured")
        shown = await asyncio.gather(*(client.get(f"/v1/payments/{pid}") for pid in created))

    assert waiting_when_killed > 0
    assert len(created) == RETRIED
    for payment in (answer.json() for answer in shown):
        assert [(a["provider"], a["outcome"]) for a in payment["attempts"]] == [
            ("stripe", "failed"),
            ("paymongo", "succeeded"),
        ], payment
    moves = [m for m in await ledger(stack) if m["payment_id"] in set(created)]
    assert sorted((m["payment_id"], m["provider"], m["kind"]) for m in moves) == sorted(
        (pid, "paymongo", "charge") for pid in created
    )


async def pending_retries(stack) -> int:
    rows = await query(
        stack, "orchestrator", "SELECT count(*) AS n FROM timers WHERE kind = 'attempt_retry'"
    )
    return int(rows[0]["n"])
