"""Disputes on the whole running system: a card payment made with Stripe's
`pm_card_createDispute` is captured, then the simulator sends a signed
`charge.dispute.created` that names only the PaymentIntent (no Payroute payment id),
so the orchestrator finds the payment by its provider reference. The simulator's
admin API closes the dispute: lost, the money is gone (refunded); won, the payment
is captured again.
"""

from typing import Any

import httpx
import pytest

from .helpers import api, ledger, status_becomes

pytestmark = pytest.mark.integration

DISPUTING_CARD = {"type": "card", "token": "pm_card_createDispute"}


async def disputed_payment(client: httpx.AsyncClient) -> dict[str, Any]:
    body = {"amount": 12_500, "currency": "PHP", "payment_method": DISPUTING_CARD}
    body["provider"] = "stripe"
    created = await client.post("/v1/payments", json=body, headers={"Prefer": "wait=10"})
    assert created.status_code == 201, created.text
    payment = created.json()
    assert (payment["status"], payment["provider"]) == ("captured", "stripe")
    return await status_becomes(client, payment["id"], "disputed")


async def close(stack: Any, dispute_id: str, outcome: str) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(
            f"{stack.url('provider-simulator')}/_sim/stripe/disputes/{dispute_id}/close",
            json={"outcome": outcome},
        )
    assert answer.status_code == 200, answer.text


async def test_a_lost_dispute_refunds_the_payment(stack) -> None:
    async with api(stack) as client:
        payment = await disputed_payment(client)
        dispute = payment["dispute"]
        assert dispute["id"].startswith("dp_")
        assert (dispute["amount"], dispute["currency"]) == (12_500, "PHP")
        assert (dispute["reason"], dispute["status"], dispute["outcome"]) == (
            "fraudulent",
            "needs_response",
            None,
        )
        assert payment["amount_refunded"] == 0

        refused = await client.post(
            "/v1/refunds", json={"payment_id": payment["id"], "amount": 1_000}
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "payment_not_refundable"

        await close(stack, dispute["id"], "lost")
        refunded = await status_becomes(client, payment["id"], "refunded")
        assert refunded["amount_refunded"] == 12_500
        assert (refunded["dispute"]["outcome"], refunded["dispute"]["status"]) == ("lost", "lost")
        assert refunded["dispute"]["closed_at"] is not None

        events = (await client.get(f"/v1/payments/{payment['id']}/events")).json()["data"]
    kinds = [e["type"] for e in events]
    assert "PaymentDisputed" in kinds
    assert "PaymentDisputeClosed" in kinds
    opened = next(e for e in events if e["type"] == "PaymentDisputed")
    assert dispute["id"] in opened["reason"]
    assert "fraudulent" in opened["reason"]
    moves = await ledger(stack, payment["id"])
    assert [m["kind"] for m in moves] == ["charge"]  # a dispute is not a refund the merchant made


async def test_a_won_dispute_captures_the_payment_again(stack) -> None:
    async with api(stack) as client:
        payment = await disputed_payment(client)
        await close(stack, payment["dispute"]["id"], "won")
        captured = await status_becomes(client, payment["id"], "captured")
    assert captured["amount_captured"] == 12_500
    assert captured["amount_refunded"] == 0
    assert captured["dispute"]["outcome"] == "won"
