"""`pm_card_createDispute`: the charge succeeds, then a signed charge.dispute.created
follows; the admin API closes the dispute (charge.dispute.closed)."""

from typing import Any

import stripe


def _events(sim: Any, event_type: str) -> list[dict[str, Any]]:
    return [e for e in sim.sink.events() if e["type"] == event_type]


async def _disputed(sim: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    intent = (await sim.create_intent(payment_method="pm_card_createDispute")).json()
    assert intent["status"] == "succeeded"
    await sim.wait_until(lambda: len(_events(sim, "charge.dispute.funds_withdrawn")) == 1)
    return intent, _events(sim, "charge.dispute.created")[0]["data"]["object"]


async def test_a_disputing_card_charges_then_sends_a_signed_dispute(sim: Any) -> None:
    intent, dispute = await _disputed(sim)
    assert [e["type"] for e in sim.sink.events()] == [
        "payment_intent.succeeded",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
    ]
    request = sim.sink.requests[-1]
    header = request.headers["stripe-signature"]
    assert stripe.WebhookSignature.verify_header(
        request.content.decode(), header, sim.webhook_secret, 300
    )
    assert dispute["id"].startswith("dp_")
    assert (dispute["payment_intent"], dispute["charge"]) == (intent["id"], intent["latest_charge"])
    assert (dispute["amount"], dispute["currency"]) == (2500, "php")
    assert (dispute["status"], dispute["reason"]) == ("needs_response", "fraudulent")
    assert [m["kind"] for m in await sim.ledger()] == ["charge"]


async def test_closing_a_dispute_sends_its_outcome(sim: Any) -> None:
    _, dispute = await _disputed(sim)
    path = f"/_sim/stripe/disputes/{dispute['id']}/close"
    response = await sim.client.post(path, json={"outcome": "lost"})
    assert (response.status_code, response.json()["status"]) == (200, "lost")
    await sim.wait_until(lambda: len(_events(sim, "charge.dispute.closed")) == 1)
    closed = _events(sim, "charge.dispute.closed")[0]["data"]["object"]
    assert (closed["id"], closed["status"]) == (dispute["id"], "lost")
    assert [m["kind"] for m in await sim.ledger()] == ["charge"]  # see disputes.py

    again = await sim.client.post(path, json={"outcome": "won"})
    assert again.status_code == 409


async def test_closing_rejects_unknown_disputes_and_outcomes(sim: Any) -> None:
    _, dispute = await _disputed(sim)
    unknown = await sim.client.post("/_sim/stripe/disputes/dp_nope/close", json={"outcome": "won"})
    assert unknown.status_code == 404
    path = f"/_sim/stripe/disputes/{dispute['id']}/close"
    assert (await sim.client.post(path, json={"outcome": "maybe"})).status_code == 422


async def test_other_cards_are_not_disputed(sim: Any) -> None:
    await sim.create_intent()
    await sim.wait_until(lambda: len(sim.sink.requests) == 1)
    assert sim.simulator.stripe.disputes == {}
