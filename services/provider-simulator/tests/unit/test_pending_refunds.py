"""The `refunds` knob on Stripe: refunds answer `pending`, then settle by webhook; money
moves only when one succeeds, and a failed one frees its amount."""

from typing import Any


def _events(sim: Any, event_type: str) -> list[dict[str, Any]]:
    return [e["data"]["object"] for e in sim.sink.events() if e["type"] == event_type]


async def _refund(sim: Any, refunds: str, **form: str) -> tuple[dict[str, Any], dict[str, Any]]:
    intent = (await sim.create_intent()).json()
    await sim.configure(refunds=refunds, refund_settle_s=0.05)
    answer = await sim.post("/v1/refunds", {"payment_intent": intent["id"], **form})
    assert answer.status_code == 200
    return intent, answer.json()


async def test_a_pending_refund_moves_no_money_until_it_succeeds(sim):
    intent, refund = await _refund(sim, "pending_then_succeeded")

    assert refund["status"] == "pending"
    assert refund["balance_transaction"] is None
    assert [m["kind"] for m in await sim.ledger()] == ["charge"]
    await sim.wait_until(lambda: len(_events(sim, "charge.refunded")) == 1)
    assert [e["type"] for e in sim.sink.events()] == [
        "payment_intent.succeeded",
        "refund.created",
        "charge.refund.updated",
        "refund.updated",
        "charge.refunded",
    ]
    assert _events(sim, "refund.created")[0]["status"] == "pending"
    settled = _events(sim, "refund.updated")[0]
    assert (settled["id"], settled["status"]) == (refund["id"], "succeeded")
    assert settled["balance_transaction"].startswith("txn_")
    assert [(m["kind"], m["reference"]) for m in await sim.ledger()] == [
        ("charge", intent["id"]),
        ("refund", refund["id"]),
    ]
    fetched = (await sim.client.get(f"/v1/refunds/{refund['id']}")).json()
    assert fetched["status"] == "succeeded"


async def test_a_pending_refund_that_fails_says_why_and_frees_its_amount(sim):
    intent, refund = await _refund(sim, "pending_then_failed", amount="1000")
    held = await sim.post("/v1/refunds", {"payment_intent": intent["id"], "amount": "2000"})

    await sim.wait_until(lambda: len(_events(sim, "refund.updated")) == 1)

    assert held.status_code == 400  # 1 000 pending of 2 500: 1 500 left
    failed = _events(sim, "refund.updated")[0]
    assert failed["id"] == refund["id"]
    assert (failed["status"], failed["failure_reason"]) == ("failed", "expired_or_canceled_card")
    assert _events(sim, "charge.refund.updated")[0]["status"] == "failed"
    assert _events(sim, "charge.refunded") == []
    assert [m["kind"] for m in await sim.ledger()] == ["charge"]
    charge = (await sim.client.get(f"/v1/charges/{intent['latest_charge']}")).json()
    assert (charge["amount_refunded"], charge["refunded"]) == (0, False)
    await sim.configure(refunds="immediate")
    again = await sim.post("/v1/refunds", {"payment_intent": intent["id"]})
    assert (again.json()["status"], again.json()["amount"]) == ("succeeded", 2500)


async def test_a_pending_refund_holds_its_amount_on_the_charge(sim):
    intent, _ = await _refund(sim, "pending_then_succeeded", amount="1000")
    await sim.configure(refund_settle_s=60)
    await sim.post("/v1/refunds", {"payment_intent": intent["id"], "amount": "500"})

    charge = (await sim.client.get(f"/v1/charges/{intent['latest_charge']}")).json()

    assert charge["amount_refunded"] == 1500


async def test_a_reset_forgets_pending_refunds(sim):
    await _refund(sim, "pending_then_succeeded")
    await sim.client.post("/_sim/reset")

    await sim.create_intent()
    await sim.wait_until(lambda: not sim.simulator._background)  # the settlement has run

    assert [m["kind"] for m in await sim.ledger()] == ["charge"]
    assert _events(sim, "refund.updated") == []
