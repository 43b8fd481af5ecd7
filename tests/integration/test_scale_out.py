"""Scale-out: two replicas each of orchestrator, provider-worker, gateway-api and
webhook-ingest carry a steady load while one replica of each is SIGKILLed.

The load mixes card payments captured at once, manual captures, soft declines
(a durable retry timer, then the next provider), wallets completed by the
provider's webhook, and refunds. Afterwards every payment is final, the
simulator's ledger shows each payment's money moved once, every event the
outbox published is on its topic once, and no payment has a status event twice
(so no timer or message was handled by both replicas).
"""

import asyncio
import json
import random
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

from payroute_bench.books import moves_per_payment, net_charged, shown_net
from payroute_devstack.infra import Infra
from payroute_devstack.plan import session_plan
from payroute_devstack.stack import Stack, start_stack
from payroute_devstack.testing import whole_system_environ

from .helpers import ledger, query, read_topic, wait_for

pytestmark = pytest.mark.integration

SCALED = ("orchestrator", "provider-worker", "gateway-api", "webhook-ingest")
LOAD_S = 36.0
FIRST_KILL_S = 8.0
KILL_EVERY_S = 4.0
SHOPPERS = 3
FINAL = {"captured", "partially_refunded", "refunded", "failed"}
# Each status is reached once per payment; a second event for one means a command,
# result, webhook or timer was handled twice.
ONCE_PER_PAYMENT = (
    "PaymentCreated",
    "PaymentAuthorized",
    "PaymentCaptured",
    "PaymentFailed",
    "PaymentActionRequired",
)
# The first try's replica died before it answered; its key is released after a while.
IN_PROGRESS = "idempotency_request_in_progress"
OUTBOX_TOPICS = ("payment.commands", "payment.events", "provider.commands", "provider.results")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def scaled_stack(infra: Infra) -> AsyncIterator[Stack]:
    """A stack of its own with two replicas of each scaled service; all of it stops after."""
    run_dir = Path(tempfile.mkdtemp(prefix="payroute-scale-out-"))
    plan = session_plan(infra.postgres_dsn, replicas=dict.fromkeys(SCALED, 2))
    stack = await start_stack(plan, infra, run_dir, base_env=whole_system_environ())
    try:
        yield stack
    finally:
        await stack.stop()
        await stack.drop_databases()


class Shop:
    """A merchant's checkout: retries what got no answer with the same idempotency key."""

    def __init__(self, client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
        self.client = client
        self.browser = browser
        self.payments: list[str] = []
        self.refunds: list[str] = []
        self.kinds: Counter[str] = Counter()

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = await self.client.post(path, json=body, headers=headers)
                if answer.status_code < 500 and IN_PROGRESS not in answer.text:
                    assert answer.status_code in (200, 201), answer.text
                    return dict(answer.json())
            except httpx.TransportError:
                pass  # the replica behind this connection died: ask again
            assert time.monotonic() < deadline, f"no answer to POST {path} for 60 s"
            await asyncio.sleep(0.2)

    async def status(self, payment_id: str) -> dict[str, Any]:
        while True:
            try:
                answer = await self.client.get(f"/v1/payments/{payment_id}")
                if answer.status_code == 200:
                    return dict(answer.json())
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)

    async def pay(self, rng: random.Random) -> None:
        amount = rng.randrange(5_000, 100_000, 100)
        kind = rng.choices(["card", "manual", "soft", "wallet"], weights=[5, 2, 1, 2])[0]
        self.kinds[kind] += 1
        token = "pm_card_chargeDeclinedProcessingError" if kind == "soft" else "pm_card_visa"
        body: dict[str, Any] = {
            "amount": amount,
            "currency": "PHP",
            "payment_method": {"type": "card", "token": token},
        }
        if kind == "manual":
            body["capture_method"] = "manual"
        if kind == "wallet":
            body["payment_method"] = {"type": "gcash"}
            body["return_url"] = "https://shop.example/back"
        payment = await self.post("/v1/payments", body)
        self.payments.append(payment["id"])
        if kind == "manual":
            await self.capture_when_authorized(payment["id"])
        if kind == "wallet":
            await self.confirm(payment["id"], payment)

    async def capture_when_authorized(self, payment_id: str) -> None:
        shown = await self.status(payment_id)
        while shown["status"] in ("pending", "processing"):
            await asyncio.sleep(0.2)
            shown = await self.status(payment_id)
        if shown["status"] == "authorized":
            await self.post(f"/v1/payments/{payment_id}/capture", {})

    async def confirm(self, payment_id: str, payment: dict[str, Any]) -> None:
        """The customer approves in the wallet; the provider's webhook completes it."""
        while payment["status"] in ("pending", "processing"):
            await asyncio.sleep(0.2)
            payment = await self.status(payment_id)
        if payment["status"] == "requires_action":
            answer = await self.browser.get(payment["next_action"]["redirect_url"])
            assert answer.status_code == 302, answer.text

    async def refund(self, rng: random.Random, payment_id: str) -> None:
        shown = await self.status(payment_id)
        if shown["status"] == "captured":
            amount = rng.choice([shown["amount_captured"], shown["amount_captured"] // 2])
            refund = await self.post("/v1/refunds", {"payment_id": payment_id, "amount": amount})
            self.refunds.append(refund["id"])

    async def shop(self, rng: random.Random, until: float) -> None:
        while time.monotonic() < until:
            await self.pay(rng)
            if len(self.payments) % 8 == 0:
                await self.refund(rng, rng.choice(self.payments[:-4] or self.payments))
            await asyncio.sleep(rng.uniform(0.05, 0.2))


async def kill_one_of_each(stack: Stack, started: float) -> list[str]:
    """SIGKILL replica 1 of every scaled service, one after another, during the load."""
    killed = []
    for i, name in enumerate(SCALED):
        await asyncio.sleep(max(0.0, started + FIRST_KILL_S + i * KILL_EVERY_S - time.monotonic()))
        stack.kill(name, replica=1)
        killed.append(f"{name}.1 at {time.monotonic() - started:.1f}s")
    return killed


async def unsettled(stack: Stack, payments: list[str], refunds: list[str]) -> list[str]:
    rows = await query(
        stack,
        "gateway-api",
        "SELECT id FROM payments WHERE id = ANY($1) AND NOT status = ANY($2) "
        "UNION SELECT payment_id FROM refunds WHERE id = ANY($3) AND status = 'pending'",
        payments,
        sorted(FINAL),
        refunds,
    )
    return [row["id"] for row in rows]


@pytest.mark.timeout(420)
async def test_two_replicas_each_lose_one_and_money_still_adds_up(scaled_stack: Stack) -> None:
    stack = scaled_stack
    rng = random.Random(int(time.time()))
    headers = {"Authorization": f"Bearer {stack.api_key}"}
    async with (
        httpx.AsyncClient(base_url=stack.url("gateway-api"), headers=headers, timeout=15) as api,
        httpx.AsyncClient(timeout=15) as browser,
    ):
        shop = Shop(api, browser)
        started = time.monotonic()
        until = started + LOAD_S
        *_, killed = await asyncio.gather(
            *(shop.shop(random.Random(rng.random()), until) for _ in range(SHOPPERS)),
            kill_one_of_each(stack, started),
        )
        print(f"killed: {killed}; load: {dict(shop.kinds)}, {len(shop.refunds)} refunds")
        for name in SCALED:
            assert stack.process(name, 0).is_running(), stack.log_tail(name)
            assert not stack.process(name, 1).is_running()

        async def settled() -> bool:
            return not await unsettled(stack, shop.payments, shop.refunds)

        await wait_for(settled, timeout=90, interval=0.5, what="every payment final")
        payments = {p: await shop.status(p) for p in shop.payments}

    statuses = Counter(p["status"] for p in payments.values())
    print(f"{len(payments)} payments: {dict(statuses)}")
    assert len(payments) >= 40, "the load was too small to tell anything"
    assert shop.kinds["wallet"]
    assert shop.kinds["manual"]
    assert shop.refunds
    assert statuses["captured"] + statuses["refunded"] + statuses["partially_refunded"] > 0

    # Charged once: per payment, the money the providers kept equals what Payroute shows.
    moves = moves_per_payment(await ledger(stack))
    for payment_id, shown in payments.items():
        kept = net_charged(moves.get(payment_id, []))
        assert kept == shown_net(shown), (shown, await ledger(stack, payment_id))

    # Published once: no event id twice on any topic an outbox feeds.
    for topic in OUTBOX_TOPICS:
        ids = Counter(json.loads(r.value)["event_id"] for r in await read_topic(stack, topic))
        print(f"{topic}: {sum(ids.values())} records")
        assert [i for i, n in ids.items() if n > 1] == [], topic

    # Handled once: each status event once per payment, each refund's outcome once.
    events = [json.loads(r.value) for r in await read_topic(stack, "payment.events", timeout=5)]
    per_payment = Counter(
        (e["aggregate_id"], e["event_type"])
        for e in events
        if e["aggregate_id"] in payments and e["event_type"] in ONCE_PER_PAYMENT
    )
    assert [k for k, n in per_payment.items() if n > 1] == []
    # A refund settled by news about the whole charge is announced again once the
    # provider's own answer names it (its provider_reference): the same outcome,
    # newly identified, never the same announcement twice.
    refund_outcomes = Counter(
        (
            e["payload"]["refund"]["refund_id"],
            e["event_type"],
            e["payload"]["refund"]["provider_reference"],
        )
        for e in events
        if e["event_type"] in ("RefundSucceeded", "RefundFailed")
    )
    assert [k for k, n in refund_outcomes.items() if n > 1] == []
    kinds = {(refund, kind) for refund, kind, _ in refund_outcomes}
    assert len(kinds) == len({refund for refund, _ in kinds})  # never both outcomes
    assert all(per_payment[(p, "PaymentCreated")] == 1 for p in payments)
