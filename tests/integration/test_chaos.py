"""Chaos: a mixed load while providers flap and services are killed and restarted.

Afterwards every accepted payment is final or explicitly waiting for its customer,
what Payroute says it captured and refunded equals the simulator's ledger, payment by
payment, and nothing was charged twice. The seed is printed, so a failing run can be
replayed with PAYROUTE_CHAOS_SEED.
"""

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from payroute_bench.books import books_agree, moves_per_payment

from .conftest import NORMAL
from .helpers import CARD, api, ledger, query, wait_for

pytestmark = pytest.mark.integration

LOAD_S = 40.0
CLIENTS = 4
KILLABLE = ("orchestrator", "provider-worker", "gateway-api", "webhook-ingest")
FLAPPING = ("stripe", "paymongo")
# What a flapping provider does next: down, answering 5xx, declining softly, acting
# but answering 500 or a body that is not JSON, settling refunds late or failing
# them, or well.
FLAPS: tuple[dict[str, Any], ...] = (
    {**NORMAL, "mode": "outage"},
    {**NORMAL, "error_rate": 0.3},
    {**NORMAL, "soft_decline_rate": 0.5},
    {**NORMAL, "mode": "error_after_effect"},
    {**NORMAL, "mode": "malformed"},
    {**NORMAL, "refunds": "pending_then_failed", "refund_settle_s": 1},
    {**NORMAL, "refunds": "pending_then_succeeded", "refund_settle_s": 1},
    NORMAL,
    NORMAL,
)
SETTLED = {"captured", "partially_refunded", "refunded", "failed", "requires_action"}


class Merchant:
    """A checkout that retries what it could not get an answer to, with the same key."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.accepted: dict[str, dict[str, Any]] = {}
        self.refunded: set[str] = set()
        self.refunds: list[str] = []

    async def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = await self.client.post(path, json=body, headers=headers)
                if answer.status_code < 500:
                    return answer
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no answer to POST {path} for 60 s"
            await asyncio.sleep(0.3)

    async def get(self, path: str) -> dict[str, Any]:
        while True:
            try:
                answer = await self.client.get(path)
                if answer.status_code == 200:
                    return dict(answer.json())
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)

    async def shop(self, rng: random.Random, until: float) -> None:
        while time.monotonic() < until:
            token = rng.choice(["pm_card_visa"] * 8 + ["pm_card_chargeDeclined"])
            body = {
                "amount": rng.randrange(5_000, 200_000, 100),
                "currency": "PHP",
                "payment_method": {**CARD, "token": token},
            }
            if rng.random() < 0.1:
                body["payment_method"] = {"type": "gcash"}
                body["return_url"] = "https://shop.example/back"
            answer = await self.post("/v1/payments", body)
            assert answer.status_code == 201, answer.text
            payment = answer.json()
            self.accepted[payment["id"]] = payment
            await asyncio.sleep(rng.uniform(0.02, 0.1))

    async def refund_some(self, rng: random.Random, until: float) -> None:
        while time.monotonic() < until:
            await asyncio.sleep(0.2)
            for payment_id in rng.sample(sorted(self.accepted), min(5, len(self.accepted))):
                shown = await self.get(f"/v1/payments/{payment_id}")
                if shown["status"] != "captured" or payment_id in self.refunded:
                    continue
                self.refunded.add(payment_id)
                body = {"payment_id": payment_id, "amount": shown["amount_captured"] // 2}
                answer = await self.post("/v1/refunds", body)
                assert answer.status_code == 201, answer.text
                self.refunds.append(answer.json()["id"])


async def flap(sim: httpx.AsyncClient, rng: random.Random, until: float) -> list[str]:
    log = []
    while time.monotonic() < until:
        provider, knobs = rng.choice(FLAPPING), rng.choice(FLAPS)
        await sim.put(f"/_sim/providers/{provider}", json=knobs)
        turned = {k: v for k, v in knobs.items() if NORMAL[k] != v}
        log.append(f"{provider} {turned or 'normal'}")
        await asyncio.sleep(rng.uniform(1.0, 4.0))
    return log


async def kill_and_restart(stack: Any, rng: random.Random, until: float) -> list[str]:
    log = []
    while time.monotonic() < until:
        await asyncio.sleep(rng.uniform(1.0, 4.0))
        victim = rng.choice(KILLABLE)
        stack.kill(victim)
        down = time.monotonic()
        await asyncio.sleep(rng.uniform(0.2, 1.5))
        await asyncio.to_thread(stack.restart, victim)
        log.append(f"{victim} down {time.monotonic() - down:.1f}s")
    return log


@pytest.mark.timeout(480)
async def test_money_adds_up_after_flapping_providers_and_killed_services(stack, simulator) -> None:
    seed = int(os.environ.get("PAYROUTE_CHAOS_SEED") or random.randrange(1 << 32))
    print(f"PAYROUTE_CHAOS_SEED={seed}")
    rng = random.Random(seed)
    async with api(stack) as client:
        merchant = Merchant(client)
        until = time.monotonic() + LOAD_S
        rngs = [random.Random(rng.random()) for _ in range(CLIENTS + 3)]
        *_, flaps, kills = await asyncio.gather(
            *(merchant.shop(rngs[i], until) for i in range(CLIENTS)),
            merchant.refund_some(rngs[CLIENTS], until),
            flap(simulator, rngs[CLIENTS + 1], until),
            kill_and_restart(stack, rngs[CLIENTS + 2], until),
        )
        print(f"flaps: {flaps}\nkills: {kills}")
        for provider in FLAPPING:
            await simulator.put(f"/_sim/providers/{provider}", json=NORMAL)

        async def unsettled() -> list[str]:
            return await still_open(stack, sorted(merchant.accepted), merchant.refunds)

        try:
            await wait_for(
                lambda: none_of(unsettled), timeout=150, interval=1, what="every payment settled"
            )
        except AssertionError:
            open_ids = (await unsettled())[:3]
            stories = [await story(stack, {"id": i}) for i in open_ids]
            pytest.fail("still open after 150 s:\n" + "\n\n".join(stories))
        payments = [await merchant.get(f"/v1/payments/{p}") for p in merchant.accepted]

    print(f"{len(payments)} payments: {Counter(p['status'] for p in payments)}")
    print(f"{len(merchant.refunds)} refunds")
    assert len(payments) > 50, "the load was too small to tell anything"
    # Per payment, the money the providers kept equals what Payroute shows, at one
    # provider at most (see payroute_bench.books).
    moves = moves_per_payment(await ledger(stack))
    for payment in payments:
        if not books_agree(payment, moves.get(payment["id"], [])):
            pytest.fail(f"Payroute and the ledger disagree: {await story(stack, payment)}")
    assert any(p["amount_refunded"] for p in payments), "no refund went through"


async def still_open(stack: Any, payment_ids: list[str], refund_ids: list[str]) -> list[str]:
    """Payments not yet final (nor waiting for their customer), and those of pending refunds."""
    rows = await query(
        stack,
        "gateway-api",
        "SELECT id FROM payments WHERE id = ANY($1) AND NOT status = ANY($2) "
        "UNION SELECT payment_id FROM refunds WHERE id = ANY($3) AND status = 'pending'",
        payment_ids,
        sorted(SETTLED),
        refund_ids,
    )
    return [row["id"] for row in rows]


async def none_of(probe: Callable[[], Awaitable[list[str]]]) -> bool:
    return not await probe()


async def story(stack: Any, payment: dict[str, Any]) -> str:
    """A payment, its timeline and its ledger movements, for a failure message."""
    async with api(stack) as client:
        events = (await client.get(f"/v1/payments/{payment['id']}/events")).json()["data"]
        refunds = (await client.get("/v1/refunds", params={"payment_id": payment["id"]})).json()
    timeline = "\n  ".join(f"{e['type']}: {e['reason']}" for e in events)
    moves = await ledger(stack, payment["id"])
    return f"{payment}\ntimeline:\n  {timeline}\nrefunds: {refunds}\nledger: {moves}"
