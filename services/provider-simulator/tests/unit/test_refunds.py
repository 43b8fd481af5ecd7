"""Refunds: full, partial, too much, and of something never charged."""


async def _charged(sim, **overrides):
    return (await sim.create_intent(**overrides)).json()


async def test_full_refund_returns_refund_object_and_records_refund(sim):
    intent = await _charged(sim)

    response = await sim.post(
        "/v1/refunds", {"payment_intent": intent["id"], "metadata[refund_id]": "rf_1"}
    )

    assert response.status_code == 200
    refund = response.json()
    assert refund["id"].startswith("re_")
    assert refund["object"] == "refund"
    assert refund["status"] == "succeeded"
    assert refund["amount"] == 2500
    assert refund["payment_intent"] == intent["id"]
    assert refund["charge"] == intent["latest_charge"]
    assert refund["metadata"] == {"refund_id": "rf_1"}
    movements = await sim.ledger(payment_id="pay_123")
    assert [(m["kind"], m["reference"], m["amount"]) for m in movements] == [
        ("charge", intent["id"], 2500),
        ("refund", refund["id"], 2500),
    ]


async def test_partial_refunds_up_to_the_amount_received(sim):
    intent = await _charged(sim)

    first = await sim.post("/v1/refunds", {"payment_intent": intent["id"], "amount": "1000"})
    too_much = await sim.post("/v1/refunds", {"payment_intent": intent["id"], "amount": "1501"})
    rest = await sim.post("/v1/refunds", {"charge": intent["latest_charge"]})
    after = await sim.post("/v1/refunds", {"payment_intent": intent["id"]})

    assert first.json()["amount"] == 1000
    assert too_much.status_code == 400
    assert too_much.json()["error"]["param"] == "amount"
    assert rest.json()["amount"] == 1500
    assert after.status_code == 400
    assert after.json()["error"]["code"] == "charge_already_refunded"
    refunds = [m["amount"] for m in await sim.ledger() if m["kind"] == "refund"]
    assert refunds == [1000, 1500]


async def test_refund_of_declined_or_unknown_intent_fails(sim):
    declined = await sim.create_intent(payment_method="pm_card_chargeDeclined")
    declined_id = declined.json()["error"]["payment_intent"]["id"]

    not_charged = await sim.post("/v1/refunds", {"payment_intent": declined_id})
    unknown = await sim.post("/v1/refunds", {"payment_intent": "pi_unknown"})

    assert not_charged.status_code == 400
    assert not_charged.json()["error"]["code"] == "payment_intent_unexpected_state"
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "resource_missing"
    assert await sim.ledger() == []


async def test_refund_can_be_retrieved(sim):
    intent = await _charged(sim)
    refund = (await sim.post("/v1/refunds", {"payment_intent": intent["id"]})).json()

    fetched = await sim.client.get(f"/v1/refunds/{refund['id']}")

    assert fetched.json() == refund


async def test_the_balance_holds_what_was_charged_less_fees_and_refunds(sim):
    intent = await _charged(sim, amount="100000")
    await sim.post("/v1/refunds", {"payment_intent": intent["id"], "amount": "1000"})

    balance = await sim.client.get("/v1/balance")

    assert balance.status_code == 200
    assert balance.json()["object"] == "balance"
    # Stripe's PHP card price: 3.5 % + ₱15.00 = 3 500 + 1 500.
    assert [(f["currency"], f["amount"]) for f in balance.json()["available"]] == [
        (intent["currency"], 100_000 - 5_000 - 1_000)
    ]
