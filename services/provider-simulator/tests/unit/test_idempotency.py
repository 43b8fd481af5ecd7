"""Idempotency-Key honoured like Stripe: the witness that nothing is charged twice."""

import asyncio


async def test_replay_returns_same_body_and_charges_once(sim):
    first = await sim.create_intent(idempotency_key="att_1")
    second = await sim.create_intent(idempotency_key="att_1")

    assert second.status_code == first.status_code == 200
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.headers["original-request"] == first.headers["request-id"]
    assert len(await sim.ledger()) == 1


async def test_parameter_order_does_not_matter(sim):
    await sim.create_intent(idempotency_key="att_order")
    form = {
        "metadata[payment_id]": "pay_123",
        "description": "Order 42",
        "capture_method": "automatic",
        "confirm": "true",
        "payment_method": "pm_card_visa",
        "currency": "php",
        "amount": "2500",
    }

    again = await sim.post("/v1/payment_intents", form, idempotency_key="att_order")

    assert again.headers["idempotent-replayed"] == "true"
    assert len(await sim.ledger()) == 1


async def test_same_key_different_params_is_idempotency_error(sim):
    await sim.create_intent(idempotency_key="att_2")

    response = await sim.create_intent(idempotency_key="att_2", amount="9999")

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "idempotency_error"
    assert len(await sim.ledger()) == 1


async def test_decline_is_replayed_without_a_second_attempt(sim):
    first = await sim.create_intent(
        idempotency_key="att_3", payment_method="pm_card_chargeDeclined"
    )
    second = await sim.create_intent(
        idempotency_key="att_3", payment_method="pm_card_chargeDeclined"
    )

    assert first.status_code == second.status_code == 402
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"


async def test_validation_error_is_not_stored(sim):
    bad = await sim.create_intent(idempotency_key="att_4", amount="abc")
    # Stripe stores nothing when parameters fail validation; the retry may differ.
    good = await sim.create_intent(idempotency_key="att_4")

    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "parameter_invalid_integer"
    assert good.status_code == 200
    assert "idempotent-replayed" not in good.headers


async def test_key_in_flight_gets_409_and_money_moves_once(sim):
    await sim.configure(mode="timeout")
    first = asyncio.create_task(sim.create_intent(idempotency_key="att_5"))
    await sim.wait_until(lambda: "att_5" in sim.simulator.stripe.idempotency)

    concurrent = await sim.create_intent(idempotency_key="att_5")
    done = await first
    replay = await sim.create_intent(idempotency_key="att_5")

    assert concurrent.status_code == 409
    assert concurrent.json()["error"]["type"] == "idempotency_error"
    assert concurrent.json()["error"]["code"] == "idempotency_key_in_use"
    assert done.status_code == 200
    assert replay.content == done.content
    assert len(await sim.ledger()) == 1


async def test_get_requests_ignore_the_key(sim):
    created = (await sim.create_intent(idempotency_key="att_6")).json()

    fetched = await sim.client.get(
        f"/v1/payment_intents/{created['id']}", headers={"Idempotency-Key": "att_6"}
    )

    assert fetched.status_code == 200
    assert "idempotent-replayed" not in fetched.headers
