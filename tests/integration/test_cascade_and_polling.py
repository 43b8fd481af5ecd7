"""Never lose a payment, never charge twice, on the whole running system.

A provider known to be down is passed over and one declining softly is followed by
the next; a hard decline is final; a charge whose answer was lost or undetermined
(a timeout, a 5xx) is found by asking the provider, and no other provider is tried
meanwhile. The simulator's ledger is the witness of money
moved; the payment's timeline must say why each step happened.
"""

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from .helpers import CARD, api, ledger, query, wait_for
from .test_payment_lifecycle import configure, payroute

pytestmark = pytest.mark.integration

WAIT = {"Prefer": "wait=10"}
SPLIT_PAYMENTS = 1_000


async def pay(
    client: httpx.AsyncClient, token: str = "pm_card_visa", *, wait: bool = True
) -> dict[str, Any]:
    body = {"amount": 31_500, "currency": "PHP", "payment_method": {**CARD, "token": token}}
    answer = await client.post("/v1/payments", json=body, headers=WAIT if wait else {})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def settled(client: httpx.AsyncClient, payment_id: str, timeout: float = 20) -> dict:
    async def final() -> dict | None:
        shown = (await client.get(f"/v1/payments/{payment_id}")).json()
        return shown if shown["status"] in ("captured", "failed") else None

    return await wait_for(final, timeout=timeout, what=f"{payment_id} to settle")


async def reasons(client: httpx.AsyncClient, payment_id: str) -> list[str]:
    events = (await client.get(f"/v1/payments/{payment_id}/events")).json()["data"]
    return [f"{e['type']}: {e['reason']}" for e in events]


def attempts(payment: dict) -> list[tuple[str, str, str | None]]:
    return [(a["provider"], a["outcome"], a["error_code"]) for a in payment["attempts"]]


async def charges(stack: Any, payment_id: str) -> list[tuple[str, str, int]]:
    moves = await ledger(stack, payment_id)
    return [(m["provider"], m["kind"], m["amount"]) for m in moves]


async def seen_down(stack: Any, provider: str) -> None:
    """Wait until routing knows `provider` is not healthy (its health checks fail)."""

    async def down() -> bool:
        rows = await query(
            stack,
            "orchestrator",
            "SELECT health FROM provider_health WHERE provider = $1",
            provider,
        )
        return bool(rows) and rows[0]["health"] != "healthy"

    await wait_for(down, timeout=30, interval=0.2, what=f"{provider} seen down")


async def test_a_payment_made_while_stripe_is_down_goes_to_paymongo(stack, simulator) -> None:
    await simulator.put("/_sim/providers/stripe", json={"mode": "outage"})
    await seen_down(stack, "stripe")
    async with api(stack) as client:
        payment = await settled(client, (await pay(client))["id"])
    assert (payment["status"], payment["provider"]) == ("captured", "paymongo")
    assert [a[:2] for a in attempts(payment)] == [("paymongo", "succeeded")]
    assert await charges(stack, payment["id"]) == [("paymongo", "charge", 31_500)]


async def test_a_charge_answered_503_waits_for_stripe_and_is_taken_once(stack, simulator) -> None:
    """A 5xx leaves the outcome undetermined (Stripe says so of its 500s): no other
    provider may charge until Stripe tells; once it answers, the same request is
    sent again under the same idempotency key and taken once."""
    await simulator.put("/_sim/providers/stripe", json={"mode": "outage"})
    async with api(stack) as client:
        payment_id = (await pay(client, wait=False))["id"]

        async def unknown() -> bool:
            shown = (await client.get(f"/v1/payments/{payment_id}")).json()
            return [a["outcome"] for a in shown["attempts"]] == ["unknown"]

        await wait_for(unknown, timeout=20, interval=0.2, what="the attempt to be unknown")
        await simulator.put("/_sim/providers/stripe", json={"mode": "normal"})
        payment = await settled(client, payment_id, timeout=60)
        timeline = await reasons(client, payment_id)
    assert (payment["status"], payment["provider"]) == ("captured", "stripe"), timeline
    assert [a[:2] for a in attempts(payment)] == [("stripe", "succeeded")]
    assert any("again under the same idempotency key" in r for r in timeline), timeline
    assert await charges(stack, payment_id) == [("stripe", "charge", 31_500)]


async def test_a_hard_decline_fails_after_one_attempt(stack, simulator) -> None:
    async with api(stack) as client:
        payment = await settled(client, (await pay(client, "pm_card_chargeDeclined"))["id"])
        timeline = await reasons(client, payment["id"])
    assert payment["status"] == "failed"
    assert attempts(payment) == [("stripe", "failed", "card_declined")]
    assert "hard_decline is not retried elsewhere" in timeline[-1], timeline
    assert await charges(stack, payment["id"]) == []


async def test_a_soft_decline_at_stripe_is_captured_at_paymongo(stack, simulator) -> None:
    await simulator.put("/_sim/providers/stripe", json={"soft_decline_rate": 1.0})
    async with api(stack) as client:
        payment = await settled(client, (await pay(client))["id"])
        timeline = await reasons(client, payment["id"])
    assert (payment["status"], payment["provider"]) == ("captured", "paymongo")
    assert attempts(payment)[0] == ("stripe", "failed", "processing_error")
    assert any("stripe declined softly (soft_decline: processing_error)" in r for r in timeline), (
        timeline
    )
    assert await charges(stack, payment["id"]) == [("paymongo", "charge", 31_500)]


async def test_a_charge_whose_answer_was_lost_is_found_by_asking_again(stack, simulator) -> None:
    # Without webhooks, only asking Stripe again can tell what became of the charge.
    await simulator.put("/_sim/providers/stripe", json={"mode": "timeout", "webhooks": False})
    async with api(stack) as client:
        payment_id = (await pay(client, wait=False))["id"]

        async def unknown() -> bool:
            shown = (await client.get(f"/v1/payments/{payment_id}")).json()
            return [a["outcome"] for a in shown["attempts"]] == ["unknown"]

        await wait_for(unknown, timeout=20, interval=0.2, what="the attempt to be unknown")
        # Stripe answers again (the hung charge still lands), so it can be asked.
        await simulator.put("/_sim/providers/stripe", json={"mode": "normal"})
        payment = await settled(client, payment_id, timeout=30)
        timeline = await reasons(client, payment_id)
    assert (payment["status"], payment["provider"]) == ("captured", "stripe")
    assert [a[:2] for a in attempts(payment)] == [("stripe", "succeeded")]  # no other attempt
    assert any("did not answer in time" in r for r in timeline), timeline
    assert any("again under the same idempotency key" in r for r in timeline), timeline
    assert "captured 31500 through stripe" in timeline[-1], timeline
    assert await charges(stack, payment_id) == [("stripe", "charge", 31_500)]


async def test_a_volume_split_spreads_gcash_and_falls_over_when_its_pick_is_down(
    stack, simulator
) -> None:
    merchant = await payroute(stack, "merchants", "create", "Split Merchant")
    body = {
        "amount": 25_000,
        "currency": "PHP",
        "payment_method": {"type": "gcash"},
        "return_url": "https://shop.example/back",
    }

    async def create_many(client: httpx.AsyncClient, count: int) -> list[dict]:
        answers = await asyncio.gather(
            *(client.post("/v1/payments", json=body, headers=WAIT) for _ in range(count))
        )
        assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
        return [await settled_on_action(client, a.json()["id"]) for a in answers]

    async def settled_on_action(client: httpx.AsyncClient, payment_id: str) -> dict:
        async def waiting() -> dict | None:
            shown = (await client.get(f"/v1/payments/{payment_id}")).json()
            return shown if shown["status"] == "requires_action" else None

        return await wait_for(waiting, timeout=20, what=f"{payment_id} to need the customer")

    await configure(stack, merchant, {"routing": {"volume_split": {"paymongo": 70, "xendit": 30}}})
    async with api(stack, merchant["api_key"]) as client:
        spread = Counter(p["provider"] for p in await create_many(client, 60))
        assert set(spread) == {"paymongo", "xendit"}
        assert spread["paymongo"] > spread["xendit"], spread

        await simulator.put("/_sim/providers/paymongo", json={"mode": "outage"})
        await seen_down(stack, "paymongo")
        fallen_over = await create_many(client, 10)
    # Once provider-worker reports paymongo unhealthy, routing puts it last: every
    # payment goes to xendit at once, whatever the split drew.
    assert {p["provider"] for p in fallen_over} == {"xendit"}
    for payment in fallen_over:
        assert [a[0] for a in attempts(payment)] == ["xendit"]


async def test_a_70_30_volume_split_holds_over_a_thousand_payments(stack, simulator) -> None:
    merchant = await payroute(stack, "merchants", "create", "Seventy Thirty")
    body = {
        "amount": 12_000,
        "currency": "PHP",
        "payment_method": {"type": "gcash"},
        "return_url": "https://shop.example/back",
    }
    await configure(stack, merchant, {"routing": {"volume_split": {"paymongo": 70, "xendit": 30}}})
    async with api(stack, merchant["api_key"]) as client:
        for _ in range(SPLIT_PAYMENTS // 20):
            answers = await asyncio.gather(
                *(client.post("/v1/payments", json=body) for _ in range(20))
            )
            assert all(a.status_code == 201 for a in answers), [a.text for a in answers]

    async def landed() -> dict[str, int] | None:
        rows = await query(
            stack,
            "orchestrator",
            "SELECT provider, count(*) AS n FROM payments "
            "WHERE merchant_id = $1 AND status = 'requires_action' GROUP BY provider",
            merchant["id"],
        )
        spread = {row["provider"]: row["n"] for row in rows}
        return spread if sum(spread.values()) == SPLIT_PAYMENTS else None

    spread = await wait_for(landed, timeout=120, interval=0.5, what="every payment to land")
    assert set(spread) == {"paymongo", "xendit"}
    assert 0.65 <= spread["paymongo"] / SPLIT_PAYMENTS <= 0.75, spread
