"""Stripe behaviour a real client meets: partial captures release the rest, balance
transactions with fees, disputes that move money, metadata limits, and errors that
name the PaymentIntent."""

import csv
import io
from typing import Any

import pytest


def _events(sim: Any, event_type: str) -> list[dict[str, Any]]:
    return [e["data"]["object"] for e in sim.sink.events() if e["type"] == event_type]


async def _charge(sim: Any, intent: dict[str, Any]) -> dict[str, Any]:
    response = await sim.client.get(f"/v1/charges/{intent['latest_charge']}")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


async def test_a_partial_capture_counts_the_released_rest_as_refunded(sim):
    intent = (await sim.create_intent(amount="2000", capture_method="manual")).json()

    await sim.post(f"/v1/payment_intents/{intent['id']}/capture", {"amount_to_capture": "1500"})
    charge = await _charge(sim, intent)

    assert (charge["amount_captured"], charge["amount_refunded"]) == (1500, 500)
    assert (charge["captured"], charge["refunded"]) == (True, False)
    await sim.post("/v1/refunds", {"payment_intent": intent["id"]})
    refunded = await _charge(sim, intent)
    assert (refunded["amount_refunded"], refunded["refunded"]) == (2000, True)
    assert [m["amount"] for m in await sim.ledger()] == [2000, 1500, 1500]


async def test_charges_and_refunds_have_balance_transactions_with_fees(sim):
    intent = (await sim.create_intent(amount="100000")).json()
    refund = (await sim.post("/v1/refunds", {"payment_intent": intent["id"]})).json()
    charge = await _charge(sim, intent)

    charged = await sim.client.get(f"/v1/balance_transactions/{charge['balance_transaction']}")
    refunded = await sim.client.get(f"/v1/balance_transactions/{refund['balance_transaction']}")
    missing = await sim.client.get("/v1/balance_transactions/txn_nope")

    assert charged.json() | {"id": "", "created": 0, "available_on": 0} == {
        "id": "",
        "object": "balance_transaction",
        "amount": 100_000,
        "available_on": 0,
        "balance_type": "payments",
        "created": 0,
        "currency": "php",
        "description": None,
        "exchange_rate": None,
        "fee": 5_000,
        "fee_details": [
            {
                "amount": 5_000,
                "application": None,
                "currency": "php",
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ],
        "net": 95_000,
        "reporting_category": "charge",
        "source": intent["id"],
        "status": "available",
        "type": "charge",
    }
    assert (refunded.json()["amount"], refunded.json()["fee"]) == (-100_000, 0)
    assert refunded.json()["reporting_category"] == "refund"
    assert missing.status_code == 404
    report = (await sim.client.get("/_sim/settlements.csv", params={"provider": "stripe"})).text
    ids = [row["balance_transaction_id"] for row in csv.DictReader(io.StringIO(report))]
    assert ids == [charge["balance_transaction"], refund["balance_transaction"]]


async def test_a_charge_carries_billing_details_and_whether_it_is_disputed(sim):
    plain = await _charge(sim, (await sim.create_intent()).json())

    assert plain["billing_details"]["email"] is None
    assert plain["billing_details"]["address"]["country"] is None
    assert plain["disputed"] is False


async def test_a_dispute_withdraws_the_money_and_a_won_one_reinstates_it(sim):
    intent = await sim.create_intent(amount="100000", payment_method="pm_card_createDispute")
    intent = intent.json()
    await sim.wait_until(lambda: bool(_events(sim, "charge.dispute.funds_withdrawn")))
    dispute = _events(sim, "charge.dispute.funds_withdrawn")[0]
    (withdrawn,) = dispute["balance_transactions"]

    assert (withdrawn["amount"], withdrawn["fee"]) == (-100_000, 1_500)
    assert withdrawn["reporting_category"] == "dispute"
    assert (await _charge(sim, intent))["disputed"] is True
    balance = (await sim.client.get("/v1/balance")).json()["available"][0]["amount"]
    assert balance == 95_000 - 101_500

    await sim.client.post(f"/_sim/stripe/disputes/{dispute['id']}/close", json={"outcome": "won"})
    await sim.wait_until(lambda: bool(_events(sim, "charge.dispute.closed")))

    reinstated = _events(sim, "charge.dispute.funds_reinstated")[0]["balance_transactions"][1]
    assert (reinstated["amount"], reinstated["reporting_category"]) == (
        100_000,
        "dispute_reversal",
    )
    assert [m["kind"] for m in await sim.ledger()] == ["charge"]
    report = (await sim.client.get("/_sim/settlements.csv", params={"provider": "stripe"})).text
    rows = list(csv.DictReader(io.StringIO(report)))
    assert [(r["reporting_category"], r["gross"], r["fee"]) for r in rows] == [
        ("charge", "1000.00", "50.00"),
        ("dispute", "-1000.00", "15.00"),
        ("dispute_reversal", "1000.00", "0.00"),
    ]
    assert {r["payment_id"] for r in rows} == {"pay_123"}


async def test_a_lost_dispute_keeps_the_money_withdrawn(sim):
    await sim.create_intent(payment_method="pm_card_createDispute")
    await sim.wait_until(lambda: bool(_events(sim, "charge.dispute.funds_withdrawn")))
    dispute = _events(sim, "charge.dispute.funds_withdrawn")[0]

    await sim.client.post(f"/_sim/stripe/disputes/{dispute['id']}/close", json={"outcome": "lost"})
    await sim.wait_until(lambda: bool(_events(sim, "charge.dispute.closed")))

    assert _events(sim, "charge.dispute.funds_reinstated") == []
    assert len(_events(sim, "charge.dispute.closed")[0]["balance_transactions"]) == 1


async def test_unexpected_state_errors_carry_the_payment_intent(sim):
    intent = (await sim.create_intent()).json()

    capture = await sim.post(f"/v1/payment_intents/{intent['id']}/capture")

    error = capture.json()["error"]
    assert error["code"] == "payment_intent_unexpected_state"
    assert (error["payment_intent"]["id"], error["payment_intent"]["status"]) == (
        intent["id"],
        "succeeded",
    )


def _metadata(count: int, *, key_length: int = 10, value_length: int = 5) -> dict[str, str]:
    keys = [f"k{index:0{key_length - 1}d}" for index in range(count)]
    return {f"metadata[{key}]": "v" * value_length for key in keys}


@pytest.mark.parametrize(
    ("metadata", "accepted"),
    [
        (_metadata(50, key_length=40, value_length=500), True),
        (_metadata(51), False),
        (_metadata(1, key_length=41), False),
        (_metadata(1, value_length=501), False),
    ],
)
async def test_stripe_metadata_limits(sim, metadata, accepted):
    form = {"amount": "2500", "currency": "php", "payment_method": "pm_card_visa"}

    answer = await sim.client.post("/v1/payment_intents", data={**form, **metadata})

    if accepted:
        assert answer.status_code == 200
        assert len(answer.json()["metadata"]) == 50
        return
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", "metadata")
    assert sim.simulator.stripe.intents == {}


async def test_capture_refuses_metadata_that_would_pass_the_limit(sim):
    intent = (await sim.create_intent(capture_method="manual", **_metadata(49))).json()

    answer = await sim.post(
        f"/v1/payment_intents/{intent['id']}/capture", {"metadata[one_more]": "x"}
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "metadata"
    assert [m["kind"] for m in await sim.ledger()] == ["authorization"]
