"""One card payment through all seven processes, driven over HTTP."""

import json
import time

import httpx
import pytest

from .helpers import api, create_payment, ledger, metric, query, read_topic, status_of, wait_for

pytestmark = pytest.mark.integration

CAPTURED = {"status": "captured", "provider": "stripe", "currency": "PHP"}


async def test_a_card_payment_is_captured_counted_reconciled_and_confirmed_by_webhook(
    stack,
) -> None:
    counted_before = await metric(stack, "payroute_payments_total", **CAPTURED)
    async with api(stack) as client:
        started = time.monotonic()
        payment = await create_payment(client, amount=12_345, order_id="order-1")
        assert payment["id"].startswith("pay_")
        assert payment["status"] == "processing"

        async def captured() -> bool:
            return await status_of(client, payment["id"]) == "captured"

        await wait_for(captured, timeout=2.0, what="captured in the read model")
        assert time.monotonic() - started < 2.0
        shown = (await client.get(f"/v1/payments/{payment['id']}")).json()
    assert shown["amount_captured"] == 12_345
    assert shown["provider"] == "stripe"
    assert shown["provider_reference"].startswith("pi_")
    assert shown["order_id"] == "order-1"

    async def counted() -> bool:
        return await metric(stack, "payroute_payments_total", **CAPTURED) == counted_before + 1

    await wait_for(counted, timeout=5, what="the capture on /metrics")

    async def reconciled() -> dict | None:
        async with httpx.AsyncClient() as client:
            answer = await client.get(
                f"{stack.url('reconciliation')}/v1/ledger/{payment['id']}",
                headers={"Authorization": f"Bearer {stack.admin_key}"},
            )
        entry = answer.json() if answer.status_code == 200 else {}
        return entry if entry.get("status") == "captured" else None

    entry = await wait_for(reconciled, timeout=5, what="the capture in reconciliation's ledger")
    assert entry["amount_captured"] == 12_345

    # The simulator's signed webhook is verified, stored and consumed, with no second effect.
    reference = shown["provider_reference"]

    async def webhook_stored() -> list:
        return await query(
            stack,
            "webhook-ingest",
            "SELECT status FROM webhook_requests WHERE body LIKE $1",
            f'%"{reference}"%',
        )

    rows = await wait_for(webhook_stored, timeout=5, what="the webhook stored")
    assert {row["status"] for row in rows} == {"accepted"}

    async def webhook_event() -> list:
        records = await read_topic(stack, "provider.webhooks")
        return [json.loads(r.value) for r in records if r.key == payment["id"].encode()]

    [event] = await wait_for(webhook_event, timeout=5, what="the webhook on provider.webhooks")

    async def consumed() -> list:
        return await query(
            stack,
            "orchestrator",
            "SELECT 1 FROM inbox WHERE consumer = 'orchestrator' AND event_id = $1::uuid",
            event["event_id"],
        )

    await wait_for(consumed, timeout=5, what="the orchestrator to consume the webhook")
    charges = await ledger(stack, payment["id"])
    assert [(m["kind"], m["amount"]) for m in charges] == [("charge", 12_345)]
    captured_events = {
        json.loads(r.value)["event_id"]
        for r in await read_topic(stack, "payment.events")
        if r.key == payment["id"].encode() and b"PaymentCaptured" in r.value
    }
    assert len(captured_events) == 1
    assert await metric(stack, "payroute_payments_total", **CAPTURED) == counted_before + 1
    async with api(stack) as client:
        assert (await client.get(f"/v1/payments/{payment['id']}")).json() == shown


async def test_a_declined_card_fails_with_the_provider_decline_code(stack) -> None:
    async with api(stack) as client:
        body = {"type": "card", "token": "pm_card_chargeDeclinedInsufficientFunds"}
        payment = await create_payment(client, payment_method=body)

        async def failed() -> dict | None:
            shown = (await client.get(f"/v1/payments/{payment['id']}")).json()
            return shown if shown["status"] == "failed" else None

        shown = await wait_for(failed, timeout=5, what="the payment to fail")
    assert shown["failure"]["decline_code"] == "insufficient_funds"
    assert await ledger(stack, payment["id"]) == []
