"""Admin-controlled scenarios: outage, injected errors, timeouts, latency, reset."""

import asyncio
import contextlib
import time


async def test_outage_is_503_api_error_and_no_ledger_change(sim):
    await sim.create_intent()
    await sim.configure(mode="outage")

    response = await sim.create_intent(idempotency_key="att_outage")

    assert response.status_code == 503
    assert response.json()["error"]["type"] == "api_error"
    assert len(await sim.ledger()) == 1


async def test_injected_errors_happen_before_money_moves_and_are_not_stored(sim):
    await sim.configure(error_rate=1.0)
    failed = await sim.create_intent(idempotency_key="att_err")
    await sim.configure(error_rate=0.0)
    retried = await sim.create_intent(idempotency_key="att_err")

    assert failed.status_code == 500
    assert failed.json()["error"]["type"] == "api_error"
    assert retried.status_code == 200
    assert len(await sim.ledger()) == 1


async def test_soft_declines_refuse_a_good_card_as_a_processing_error(sim):
    await sim.configure(soft_decline_rate=1.0)
    declined = await sim.create_intent()
    await sim.configure(soft_decline_rate=0.0)
    charged = await sim.create_intent()

    assert declined.status_code == 402
    assert declined.json()["error"]["code"] == "processing_error"
    assert charged.status_code == 200
    assert len(await sim.ledger()) == 1


async def test_timeout_still_charges_after_the_caller_gives_up(sim):
    await sim.configure(mode="timeout")

    started = time.monotonic()
    request = asyncio.ensure_future(sim.create_intent(idempotency_key="att_to"))
    # Give up once the simulator holds the request (a fixed client timeout races GC pauses).
    await sim.wait_until(lambda: len(sim.simulator._background) == 1)
    request.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await request
    assert await sim.ledger() == []

    await sim.wait_until(lambda: len(sim.simulator.ledger.movements()) == 1)
    assert time.monotonic() - started >= 0.3
    await sim.configure(mode="normal")
    retried = await sim.create_intent(idempotency_key="att_to")
    assert retried.headers["idempotent-replayed"] == "true"
    assert len(await sim.ledger()) == 1


async def test_slow_mode_adds_latency(sim):
    await sim.configure(mode="slow", latency_ms=150)

    started = time.monotonic()
    response = await sim.create_intent()

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.15


async def test_put_merges_and_validates(sim):
    first = await sim.configure(mode="slow", latency_ms=10)
    second = await sim.configure(webhook_duplicates=2)
    invalid = await sim.configure(error_rate=1.5)
    unknown_mode = await sim.configure(mode="exploding")
    unknown_provider = await sim.configure("nonexistent", mode="outage")

    assert first.status_code == 200
    assert second.json()["mode"] == "slow"
    assert second.json()["latency_ms"] == 10
    assert second.json()["webhook_duplicates"] == 2
    assert invalid.status_code == 422
    assert unknown_mode.status_code == 422
    assert unknown_provider.status_code == 404


async def test_reset_clears_ledger_intents_and_modes(sim):
    intent = (await sim.create_intent(idempotency_key="att_reset")).json()
    await sim.configure(mode="outage")

    response = await sim.client.post("/_sim/reset")

    assert response.status_code == 200
    assert await sim.ledger() == []
    assert (await sim.client.get(f"/v1/payment_intents/{intent['id']}")).status_code == 404
    assert (await sim.client.get("/_sim/providers/stripe")).json()["mode"] == "normal"
    again = await sim.create_intent(idempotency_key="att_reset")
    assert "idempotent-replayed" not in again.headers


async def test_ledger_filters_by_payment_id(sim):
    await sim.create_intent(**{"metadata[payment_id]": "pay_a"})
    await sim.create_intent(**{"metadata[payment_id]": "pay_b"})

    movements = await sim.ledger(payment_id="pay_b")

    assert [m["payment_id"] for m in movements] == ["pay_b"]
