"""Broker rotation under load: the local broker is swapped for an empty one twice
while card payments are in flight, and no message is lost.

The stack has a broker of its own (a rotation restarts it). Afterwards every
payment is captured, the simulator's ledger matches Payroute's books payment by
payment with the money moved once each, and a dead letter from before the
rotations is still on its topic, at its offset.
"""

import asyncio
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from payroute_bench.books import disagreements
from payroute_devstack.broker_rotation import Rotation, rotate
from payroute_devstack.infra import Infra, start_infra
from payroute_devstack.plan import session_plan
from payroute_devstack.stack import Stack, start_stack
from payroute_devstack.testing import whole_system_environ

from .helpers import CARD, ledger, produce, query, read_topic, wait_for

pytestmark = pytest.mark.integration

PAYMENTS = 200
LOAD_S = 20.0
ROTATE_AT_S = (5.0, 12.0)
WAIT = {"Prefer": "wait=10"}
DLQ = "orchestrator.dlq"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def own_broker_stack(infra: Infra) -> AsyncIterator[Stack]:
    """A stack on a broker of its own (Postgres shared); all of it stops after."""
    run_dir = Path(tempfile.mkdtemp(prefix="payroute-rotation-"))
    own = await start_infra(run_dir, postgres_dsn=infra.postgres_dsn, need_postgres=False)
    try:
        plan = session_plan(infra.postgres_dsn)
        stack = await start_stack(plan, own, run_dir, base_env=whole_system_environ())
        try:
            yield stack
        finally:
            await stack.stop()
            await stack.drop_databases()
    finally:
        await own.stop()


async def pay(client: httpx.AsyncClient, number: int) -> str:
    """One card payment, asked again with its key until it is answered."""
    body = {"amount": 5_000 + number, "currency": "PHP", "payment_method": CARD}
    headers = {"Idempotency-Key": str(uuid.uuid4()), **(WAIT if number % 4 == 0 else {})}
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = await client.post("/v1/payments", json=body, headers=headers)
            if answer.status_code < 500:
                assert answer.status_code in (200, 201, 202), answer.text
                return str(answer.json()["id"])
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "no answer to a payment for 60 s"
        await asyncio.sleep(0.2)


async def load(client: httpx.AsyncClient, started: float) -> list[str]:
    """PAYMENTS payments spread evenly over LOAD_S seconds, each in flight on its own."""

    async def at(number: int) -> str:
        await asyncio.sleep(max(0.0, started + number * LOAD_S / PAYMENTS - time.monotonic()))
        return await pay(client, number)

    return list(await asyncio.gather(*(at(n) for n in range(PAYMENTS))))


async def rotations(stack: Stack, started: float) -> list[Rotation]:
    done = []
    for offset in ROTATE_AT_S:
        await asyncio.sleep(max(0.0, started + offset - time.monotonic()))
        broker = stack.infra.broker
        assert broker is not None
        pid = broker.pid
        done.append(await rotate(stack))
        assert broker.pid != pid
    return done


def letters(records: list[Any]) -> list[tuple[int, int, bytes, bytes, tuple[Any, ...]]]:
    return [(r.partition, r.offset, r.key, r.value, tuple(r.headers)) for r in records]


async def dead_letter(stack: Stack) -> list[tuple[int, int, bytes, bytes, tuple[Any, ...]]]:
    """A poison command on payment.commands, once the orchestrator has dead-lettered it."""
    await produce(stack, "payment.commands", b"not an envelope", key=b"poison")

    async def on_the_dlq() -> list[Any]:
        return letters(await read_topic(stack, DLQ))

    return await wait_for(on_the_dlq, timeout=30, interval=0.5, what="the dead letter")


@pytest.mark.timeout(240)
async def test_two_rotations_under_load_lose_nothing(own_broker_stack: Stack) -> None:
    stack = own_broker_stack
    before = await dead_letter(stack)
    headers = {"Authorization": f"Bearer {stack.api_key}"}
    gateway = stack.url("gateway-api")
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=30) as api:
        started = time.monotonic()
        payments, done = await asyncio.gather(load(api, started), rotations(stack, started))
    print("; ".join(rotation.summary() for rotation in done))
    assert all(rotation.dropped_records > 0 for rotation in done)
    assert all(rotation.kept_records >= len(before) for rotation in done)

    async def all_captured() -> bool:
        rows = await query(
            stack,
            "gateway-api",
            "SELECT count(*) AS n FROM payments WHERE id = ANY($1) AND status = 'captured'",
            payments,
        )
        return bool(rows[0]["n"] == len(payments))

    await wait_for(all_captured, timeout=60, interval=0.5, what="every payment captured")

    rows = await query(
        stack,
        "gateway-api",
        "SELECT id, status, amount_captured, amount_refunded FROM payments WHERE id = ANY($1)",
        payments,
    )
    shown = [dict(row) for row in rows]
    moves = [m for m in await ledger(stack) if m.get("payment_id") in set(payments)]
    assert disagreements(shown, moves) == {}
    taken = Counter(m["payment_id"] for m in moves if m["kind"] in ("charge", "capture"))
    assert sorted(set(taken.values())) == [1], "a payment's money moved other than once"
    assert set(taken) == set(payments)

    assert letters(await read_topic(stack, DLQ)) == before
