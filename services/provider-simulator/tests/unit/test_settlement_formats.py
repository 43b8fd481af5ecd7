"""Each provider's settlement report in its own format: PayMongo's payments export and
Xendit's transactions report, over `GET /_sim/settlements.csv?provider=…&date=…`."""

import base64
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from provider_simulator.settlements.paymongo import COLUMNS as PAYMONGO_COLUMNS
from provider_simulator.settlements.xendit import COLUMNS as XENDIT_COLUMNS
from provider_simulator.simulator import Simulator


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def today() -> str:
    return datetime.now(UTC).date().isoformat()


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    sim: Simulator = app.state.simulator
    paymongo = sim.settings.paymongo_secret_key.get_secret_value()
    basic = base64.b64encode(f"{paymongo}:".encode()).decode()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sim.test",
        headers={"Authorization": f"Basic {basic}"},
    ) as client:
        yield client


def doc(**attributes: Any) -> dict[str, Any]:
    return {"data": {"attributes": attributes}}


async def paymongo_intent(http: httpx.AsyncClient, token: str, **extra: Any) -> str:
    attributes = {
        "amount": 10_000,
        "currency": "PHP",
        "payment_method_allowed": ["card"],
        "capture_type": "manual",
        "metadata": {"payment_id": "pay_route_1", "attempt_id": "att_1"},
        "description": "Order 7",
        **extra,
    }
    intent = (await http.post("/v1/payment_intents", json=doc(**attributes))).json()["data"]
    attach = doc(payment_method=token, return_url="https://shop.test/back")
    await http.post(f"/v1/payment_intents/{intent['id']}/attach", json=attach)
    return str(intent["id"])


async def report(http: httpx.AsyncClient, provider: str, day: str) -> list[dict[str, str]]:
    answer = await http.get("/_sim/settlements.csv", params={"provider": provider, "date": day})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text.splitlines()[0] == ",".join(
        PAYMONGO_COLUMNS if provider == "paymongo" else XENDIT_COLUMNS
    )
    return rows(answer.text)


async def test_paymongo_report_lists_the_captured_payment_and_its_refund(
    http: httpx.AsyncClient,
) -> None:
    intent_id = await paymongo_intent(http, "pm_card_visa")
    captured = await http.post(f"/v1/payment_intents/{intent_id}/capture", json=doc(amount=8_000))
    payment_id = captured.json()["data"]["attributes"]["payments"][0]["id"]
    refund = await http.post(
        "/v1/refunds",
        json=doc(amount=3_000, payment_id=payment_id, metadata={"payment_id": "pay_route_1"}),
    )
    await paymongo_intent(http, "pm_card_chargeDeclined", capture_type="automatic")

    paid, refunded = await report(http, "paymongo", today())

    # PayMongo PH cards 3.5 % + ₱15: 80.00 → 2.80 + 15.00.
    assert paid | {"Created at": "", "Updated at": "", "Paid at": "", "Available at": ""} == {
        "ID": payment_id,
        "Type": "payment",
        "Payment Intent ID": intent_id,
        "Payment ID": payment_id,
        "Description": "Order 7",
        "Amount": "80.00",
        "Fee": "17.80",
        "Net Amount": "62.20",
        "Currency": "PHP",
        "Status": "paid",
        "Payment Method": "card",
        "Created at": "",
        "Paid at": "",
        "Available at": "",
        "Updated at": "",
        "Metadata": json.dumps(
            {"attempt_id": "att_1", "payment_id": "pay_route_1"}, separators=(",", ":")
        ),
    }
    assert datetime.fromisoformat(paid["Paid at"]).tzinfo is not None
    assert refunded["ID"] == refund.json()["data"]["id"]
    assert (refunded["Type"], refunded["Status"]) == ("refund", "succeeded")
    assert (refunded["Payment Intent ID"], refunded["Payment ID"]) == (intent_id, payment_id)
    assert (refunded["Amount"], refunded["Fee"], refunded["Net Amount"]) == (
        "30.00",
        "0.00",
        "30.00",
    )
    assert json.loads(refunded["Metadata"]) == {"payment_id": "pay_route_1"}
    assert await report(http, "paymongo", "2001-01-01") == []


async def test_xendit_report_lists_payments_and_refunds_by_their_xendit_objects(
    app: FastAPI, http: httpx.AsyncClient
) -> None:
    sim: Simulator = app.state.simulator
    key = sim.settings.xendit_secret_key.get_secret_value()
    request = {
        "reference_id": "att_9",
        "amount": 25.5,
        "currency": "PHP",
        "country": "PH",
        "payment_method": {
            "type": "CARD",
            "reusability": "ONE_TIME_USE",
            "card": {"currency": "PHP", "card_information": {"token_id": "pm_card_visa"}},
        },
        "metadata": {"payment_id": "pay_route_9"},
    }
    paid = (await http.post("/payment_requests", json=request, auth=(key, ""))).json()
    refund_body = {
        "payment_request_id": paid["id"],
        "reference_id": "rf_9",
        "amount": 20,
        "currency": "PHP",
        "reason": "REQUESTED_BY_CUSTOMER",
        "metadata": {"payment_id": "pay_route_9"},
    }
    refund = (await http.post("/refunds", json=refund_body, auth=(key, ""))).json()

    payment_line, refund_line = await report(http, "xendit", today())

    # Xendit PH cards 2.9 % + ₱15: 25.50 → 0.7395 → 0.74 + 15.00.
    assert payment_line["Transaction ID"].startswith("txn_")
    assert payment_line | {
        "Transaction ID": "",
        "Created Date": "",
        "Estimated Settlement Time": "",
    } == {
        "Transaction ID": "",
        "Product ID": paid["id"],
        "Type": "PAYMENT",
        "Status": "SUCCESS",
        "Channel": "CARDS",
        "Channel Name": "CREDIT_CARD",
        "Account Number": "",
        "Reference": "att_9",
        "Currency": "PHP",
        "Amount": "25.50",
        "Total Fee": "15.74",
        "Total VAT": "0.00",
        "Net Amount": "9.76",
        "Cashflow": "MONEY_IN",
        "Settlement Status": "SETTLED",
        "Created Date": "",
        "Estimated Settlement Time": "",
        "Metadata": '{"payment_id":"pay_route_9"}',
    }
    assert (refund_line["Product ID"], refund_line["Reference"]) == (refund["id"], "rf_9")
    assert (refund_line["Type"], refund_line["Cashflow"], refund_line["Amount"]) == (
        "REFUND",
        "MONEY_OUT",
        "20.00",
    )
    assert refund_line["Total Fee"] == "0.00"
    assert refund_line["Transaction ID"] != payment_line["Transaction ID"]


async def test_stripe_and_the_all_providers_report_keep_stripe_s_shape(
    http: httpx.AsyncClient,
) -> None:
    await paymongo_intent(http, "pm_card_visa", capture_type="automatic")

    everything = await http.get("/_sim/settlements.csv")

    (line,) = rows(everything.text)
    assert (line["provider"], line["reporting_category"], line["gross"]) == (
        "paymongo",
        "charge",
        "100.00",
    )
