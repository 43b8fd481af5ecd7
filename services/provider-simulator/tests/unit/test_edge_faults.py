"""Modes that fail at the provider's edge after its core committed (`error_after_effect`,
`malformed`) and `timeout` with its `hang_s`: the request takes effect, and the same
request with the same idempotency key replays the true answer."""

import asyncio
import json

import pytest


async def test_error_after_effect_charges_then_answers_a_stripe_500(sim):
    await sim.configure(mode="error_after_effect")

    answer = await sim.create_intent(idempotency_key="att_edge_1")

    assert answer.status_code == 500
    assert answer.json()["error"]["type"] == "api_error"
    (movement,) = await sim.ledger()
    assert movement["kind"] == "charge"
    replay = await sim.create_intent(idempotency_key="att_edge_1")
    assert replay.status_code == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["id"] == movement["reference"]
    assert replay.json()["status"] == "succeeded"
    assert len(await sim.ledger()) == 1


async def test_malformed_charges_then_answers_a_200_that_is_not_json(sim):
    await sim.configure(mode="malformed")

    answer = await sim.create_intent(idempotency_key="att_edge_2")

    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.content)
    replay = await sim.create_intent(idempotency_key="att_edge_2")
    assert replay.json()["status"] == "succeeded"
    assert [m["kind"] for m in await sim.ledger()] == ["charge"]


@pytest.mark.parametrize("mode", ["error_after_effect", "malformed"])
async def test_edge_modes_apply_to_capture_and_refund_and_leave_reads_alone(sim, mode):
    intent = (await sim.create_intent(capture_method="manual")).json()
    await sim.configure(mode=mode)

    capture = await sim.post(
        f"/v1/payment_intents/{intent['id']}/capture", idempotency_key=f"cap_{mode}"
    )
    refund = await sim.post(
        "/v1/refunds", {"payment_intent": intent["id"]}, idempotency_key=f"ref_{mode}"
    )
    read = await sim.client.get(f"/v1/payment_intents/{intent['id']}")

    assert capture.status_code == refund.status_code == (500 if mode != "malformed" else 200)
    assert read.json()["status"] == "succeeded"
    assert [m["kind"] for m in await sim.ledger()] == ["authorization", "capture", "refund"]
    again = await sim.post(
        "/v1/refunds", {"payment_intent": intent["id"]}, idempotency_key=f"ref_{mode}"
    )
    assert again.json()["object"] == "refund"
    assert len(await sim.ledger()) == 3


async def test_a_declined_charge_under_error_after_effect_replays_its_decline(sim):
    await sim.configure(mode="error_after_effect")
    token = "pm_card_chargeDeclined"

    first = await sim.create_intent(payment_method=token, idempotency_key="att_edge_3")
    again = await sim.create_intent(payment_method=token, idempotency_key="att_edge_3")

    assert first.status_code == 500
    assert again.status_code == 402
    assert again.json()["error"]["decline_code"] == "generic_decline"


async def test_hang_s_sets_how_long_a_timeout_hangs_and_a_resend_is_in_flight(sim):
    await sim.configure(mode="timeout", hang_s=0.5)
    hung = asyncio.create_task(sim.create_intent(idempotency_key="att_hang"))
    await asyncio.sleep(0.1)

    during = await asyncio.wait_for(sim.create_intent(idempotency_key="att_hang"), 0.3)

    assert during.status_code == 409
    assert during.json()["error"]["code"] == "idempotency_key_in_use"
    assert await sim.ledger() == []
    hung.cancel()  # the caller gives up; the charge still happens
    await sim.wait_until(lambda: bool(sim.simulator.ledger.movements()), timeout_s=2)
    after = await asyncio.wait_for(sim.create_intent(idempotency_key="att_hang"), 0.3)
    assert after.status_code == 200
    assert after.headers["idempotent-replayed"] == "true"
    assert len(await sim.ledger()) == 1


async def test_hang_s_defaults_to_the_setting_and_null_restores_it(sim):
    default = (await sim.client.get("/_sim/providers/stripe")).json()["hang_s"]
    changed = (await sim.configure(hang_s=120)).json()["hang_s"]
    unchanged = (await sim.configure(latency_ms=0)).json()["hang_s"]
    restored = (await sim.configure(hang_s=None)).json()["hang_s"]

    assert default == sim.simulator.settings.timeout_hang_s == 0.3
    assert (changed, unchanged, restored) == (120, 120, 0.3)
    assert (await sim.configure(hang_s=-1)).status_code == 422


async def test_reset_restores_every_knob(sim):
    before = (await sim.client.get("/_sim/providers/stripe")).json()
    await sim.configure(
        mode="malformed", hang_s=9, refunds="pending_then_failed", refund_settle_s=4
    )

    await sim.client.post("/_sim/reset")

    after = (await sim.client.get("/_sim/providers/stripe")).json()
    assert after == before
    assert (after["refunds"], after["refund_settle_s"], after["mode"]) == (
        "immediate",
        2.0,
        "normal",
    )
