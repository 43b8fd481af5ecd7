"""Capture, cancel and refund replayed under the same Idempotency-Key move money once."""


async def _authorized(sim):
    return (await sim.create_intent(capture_method="manual")).json()


async def test_capture_replayed_returns_the_same_answer_and_captures_once(sim):
    intent = await _authorized(sim)
    path = f"/v1/payment_intents/{intent['id']}/capture"

    first = await sim.post(path, {"amount_to_capture": "1500"}, idempotency_key="op_cap")
    again = await sim.post(path, {"amount_to_capture": "1500"}, idempotency_key="op_cap")

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert [(m["kind"], m["amount"]) for m in await sim.ledger()] == [
        ("authorization", 2500),
        ("capture", 1500),
    ]


async def test_cancel_replayed_voids_once(sim):
    intent = await _authorized(sim)
    path = f"/v1/payment_intents/{intent['id']}/cancel"

    first = await sim.post(path, idempotency_key="op_void")
    again = await sim.post(path, idempotency_key="op_void")

    assert first.json()["status"] == again.json()["status"] == "canceled"
    assert [m["kind"] for m in await sim.ledger()] == ["authorization", "void"]


async def test_refunds_replayed_refund_once_and_never_exceed_what_was_received(sim):
    intent = await _authorized(sim)
    await sim.post(f"/v1/payment_intents/{intent['id']}/capture", {"amount_to_capture": "2000"})

    def form(amount: str) -> dict[str, str]:
        return {"payment_intent": intent["id"], "amount": amount}

    first = await sim.post("/v1/refunds", form("800"), idempotency_key="rf_1")
    first_again = await sim.post("/v1/refunds", form("800"), idempotency_key="rf_1")
    second = await sim.post("/v1/refunds", form("700"), idempotency_key="rf_2")
    too_much = await sim.post("/v1/refunds", form("501"), idempotency_key="rf_3")
    too_much_again = await sim.post("/v1/refunds", form("501"), idempotency_key="rf_3")

    assert first_again.json()["id"] == first.json()["id"]
    assert second.json()["amount"] == 700
    assert too_much.status_code == too_much_again.status_code == 400
    assert too_much.json()["error"]["code"] == "amount_too_large"
    refunds = [(m["amount"], m["payment_id"]) for m in await sim.ledger() if m["kind"] == "refund"]
    assert refunds == [(800, "pay_123"), (700, "pay_123")]
