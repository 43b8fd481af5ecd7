"""Creating, capturing and cancelling PaymentIntents, and the money each moves."""

import pytest


async def test_form_encoded_create_succeeds_and_records_one_charge(sim):
    response = await sim.create_intent()

    assert response.status_code == 200
    intent = response.json()
    assert intent["id"].startswith("pi_")
    assert intent["object"] == "payment_intent"
    assert intent["status"] == "succeeded"
    assert intent["amount"] == intent["amount_received"] == 2500
    assert intent["amount_capturable"] == 0
    assert intent["currency"] == "php"
    assert intent["metadata"] == {"payment_id": "pay_123"}
    assert intent["latest_charge"].startswith("ch_")
    assert intent["livemode"] is False
    assert intent["next_action"] is None
    assert intent["last_payment_error"] is None
    assert response.headers["request-id"].startswith("req_")
    assert response.headers["stripe-version"]
    (movement,) = await sim.ledger()
    assert movement.pop("at")
    assert movement == {
        "provider": "stripe",
        "reference": intent["id"],
        "kind": "charge",
        "amount": 2500,
        "currency": "php",
        "payment_id": "pay_123",
        "method": "card",
    }


async def test_raw_bracketed_keys_are_parsed_like_the_sdk_sends_them(sim):
    body = (
        "amount=999&currency=usd&payment_method=pm_card_visa&confirm=true"
        "&capture_method=automatic&metadata[payment_id]=pay_raw&metadata[attempt_id]=att_1"
    )
    response = await sim.client.post(
        "/v1/payment_intents",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 200
    assert response.json()["metadata"] == {"payment_id": "pay_raw", "attempt_id": "att_1"}


@pytest.mark.parametrize(
    ("token", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedProcessingError", "processing_error", None),
    ],
)
async def test_decline_tokens_give_card_errors_and_move_no_money(sim, token, code, decline_code):
    response = await sim.create_intent(payment_method=token)

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["type"] == "card_error"
    assert error["code"] == code
    assert error.get("decline_code") == decline_code
    assert error["charge"].startswith("ch_")
    assert error["payment_intent"]["status"] == "requires_payment_method"
    assert error["payment_intent"]["last_payment_error"]["code"] == code
    assert await sim.ledger() == []
    fetched = await sim.client.get(f"/v1/payment_intents/{error['payment_intent']['id']}")
    assert fetched.json()["status"] == "requires_payment_method"


async def test_unknown_payment_method_is_resource_missing(sim):
    response = await sim.create_intent(payment_method="pm_card_nonsense")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "resource_missing"
    assert error["param"] == "payment_method"
    assert await sim.ledger() == []


async def test_missing_amount_is_parameter_missing(sim):
    form = {"currency": "usd", "payment_method": "pm_card_visa", "confirm": "true"}
    response = await sim.post("/v1/payment_intents", form)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parameter_missing"
    assert response.json()["error"]["param"] == "amount"


async def test_manual_capture_records_authorization_then_capture(sim):
    created = (await sim.create_intent(capture_method="manual")).json()
    assert created["status"] == "requires_capture"
    assert created["amount_capturable"] == 2500
    assert created["amount_received"] == 0

    captured = await sim.post(f"/v1/payment_intents/{created['id']}/capture")

    assert captured.status_code == 200
    assert captured.json()["status"] == "succeeded"
    assert captured.json()["amount_received"] == 2500
    kinds = [(m["kind"], m["amount"], m["reference"]) for m in await sim.ledger()]
    assert kinds == [("authorization", 2500, created["id"]), ("capture", 2500, created["id"])]


async def test_partial_capture_and_capture_twice(sim):
    created = (await sim.create_intent(capture_method="manual")).json()
    path = f"/v1/payment_intents/{created['id']}/capture"

    too_much = await sim.post(path, {"amount_to_capture": "2501"})
    partial = await sim.post(path, {"amount_to_capture": "1000"})
    again = await sim.post(path)

    assert too_much.status_code == 400
    assert partial.json()["amount_received"] == 1000
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "payment_intent_unexpected_state"
    assert [m["amount"] for m in await sim.ledger() if m["kind"] == "capture"] == [1000]


async def test_capture_of_automatic_intent_is_unexpected_state(sim):
    created = (await sim.create_intent()).json()

    response = await sim.post(f"/v1/payment_intents/{created['id']}/capture")

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.json()["error"]["code"] == "payment_intent_unexpected_state"


async def test_cancel_authorization_records_void(sim):
    created = (await sim.create_intent(capture_method="manual")).json()

    canceled = await sim.post(
        f"/v1/payment_intents/{created['id']}/cancel", {"cancellation_reason": "abandoned"}
    )

    assert canceled.json()["status"] == "canceled"
    assert canceled.json()["cancellation_reason"] == "abandoned"
    assert [m["kind"] for m in await sim.ledger()] == ["authorization", "void"]
    capture = await sim.post(f"/v1/payment_intents/{created['id']}/capture")
    assert capture.json()["error"]["code"] == "payment_intent_unexpected_state"


async def test_cancel_of_succeeded_intent_fails(sim):
    created = (await sim.create_intent()).json()

    response = await sim.post(f"/v1/payment_intents/{created['id']}/cancel")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "payment_intent_unexpected_state"


async def test_retrieve_and_unknown_intent(sim):
    created = (await sim.create_intent()).json()

    fetched = await sim.client.get(
        f"/v1/payment_intents/{created['id']}", params={"expand[]": "latest_charge"}
    )
    missing = await sim.client.get("/v1/payment_intents/pi_missing")

    assert fetched.json()["latest_charge"]["id"] == created["latest_charge"]
    assert fetched.json()["latest_charge"]["status"] == "succeeded"
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"
