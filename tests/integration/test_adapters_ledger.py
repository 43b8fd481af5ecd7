"""Every provider adapter end to end on the whole running system: a payment routed to
the provider through Payroute's API, its capture and a partial refund, with the
simulator's ledger as the witness that each operation moved exactly its amount,
in its currency, once, and nothing else moved.

Cards (Stripe, PayMongo) are authorized and captured by hand for part of the
amount. Wallets (PayMongo GCash, Xendit GCash, Maya Checkout) are captured at
once: the customer approves on the provider's hosted page and the provider's
webhook completes the payment.
"""

from typing import Any

import httpx
import pytest

from .helpers import api, ledger, status_becomes

pytestmark = pytest.mark.integration

WAIT = {"Prefer": "wait=10"}
RETURN_URL = "https://shop.example/back"
AMOUNT, CAPTURE, REFUND = 10_000, 6_000, 2_500


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post(path, json=body, headers=WAIT)
    assert answer.status_code in (200, 201), answer.text
    return dict(answer.json())


async def refund_part(client: httpx.AsyncClient, payment_id: str) -> dict:
    refund = await post(client, "/v1/refunds", {"payment_id": payment_id, "amount": REFUND})
    assert refund["status"] == "succeeded", refund
    return await status_becomes(client, payment_id, "partially_refunded")


async def moves(stack: Any, payment_id: str) -> list[tuple[str, str, int, str]]:
    """The payment's ledger entries; Stripe's keep its lower-case currency codes."""
    return [
        (m["provider"], m["kind"], m["amount"], m["currency"].upper())
        for m in await ledger(stack, payment_id)
    ]


@pytest.mark.parametrize("provider", ["stripe", "paymongo"])
async def test_a_card_captured_in_part_and_refunded_in_part_moves_each_amount_once(
    stack: Any, provider: str
) -> None:
    card = {
        "amount": AMOUNT,
        "currency": "PHP",
        "capture_method": "manual",
        "payment_method": {"type": "card", "token": "pm_card_visa"},
        "provider": provider,
    }
    async with api(stack) as client:
        payment = await post(client, "/v1/payments", card)
        assert (payment["status"], payment["provider"]) == ("authorized", provider)
        pay = payment["id"]
        captured = await post(client, f"/v1/payments/{pay}/capture", {"amount": CAPTURE})
        assert (captured["status"], captured["amount_captured"]) == ("captured", CAPTURE)
        shown = await refund_part(client, pay)

    assert (shown["amount_captured"], shown["amount_refunded"]) == (CAPTURE, REFUND)
    assert await moves(stack, pay) == [
        (provider, "authorization", AMOUNT, "PHP"),
        (provider, "capture", CAPTURE, "PHP"),
        (provider, "refund", REFUND, "PHP"),
    ]


@pytest.mark.parametrize(
    ("provider", "method", "hosted_page"),
    [
        ("paymongo", "gcash", "/_sim/paymongo/"),
        ("xendit", "gcash", "/_sim/xendit/authorize/"),
        ("maya", "maya", "/_sim/maya/checkout/"),
    ],
)
async def test_a_wallet_the_customer_approves_is_charged_once_and_refunded_in_part(
    stack: Any, provider: str, method: str, hosted_page: str
) -> None:
    wallet = {
        "amount": AMOUNT,
        "currency": "PHP",
        "payment_method": {"type": method},
        "provider": provider,
        "return_url": RETURN_URL,
    }
    async with api(stack) as client:
        payment = await post(client, "/v1/payments", wallet)
        assert (payment["status"], payment["provider"]) == ("requires_action", provider)
        pay = payment["id"]
        redirect_url = payment["next_action"]["redirect_url"]
        assert hosted_page in redirect_url
        assert await ledger(stack, pay) == []

        async with httpx.AsyncClient(timeout=10) as browser:
            approved = await browser.get(redirect_url)
        assert approved.status_code == 302
        assert approved.headers["location"].startswith(RETURN_URL)

        captured = await status_becomes(client, pay, "captured")
        assert captured["amount_captured"] == AMOUNT
        shown = await refund_part(client, pay)

    assert (shown["amount_captured"], shown["amount_refunded"]) == (AMOUNT, REFUND)
    assert await moves(stack, pay) == [
        (provider, "charge", AMOUNT, "PHP"),
        (provider, "refund", REFUND, "PHP"),
    ]
