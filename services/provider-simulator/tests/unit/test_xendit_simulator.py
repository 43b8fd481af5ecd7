"""The simulated Xendit: Basic auth, payment requests, the approval page, callbacks with
the callback token, idempotency keys and refunds against the ledger."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from provider_simulator.simulator import Simulator

from .conftest import WebhookSink, wait_until


@pytest.fixture
def simulator(app: FastAPI) -> Simulator:
    sim: Simulator = app.state.simulator
    return sim


@pytest.fixture
async def xendit(app: FastAPI, simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    key = simulator.settings.xendit_secret_key.get_secret_value()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim.test", auth=(key, "")
    ) as client:
        yield client


def wallet(**overrides: Any) -> dict[str, Any]:
    return {
        "reference_id": "att_1",
        "amount": 25.5,
        "currency": "PHP",
        "country": "PH",
        "payment_method": {
            "type": "EWALLET",
            "reusability": "ONE_TIME_USE",
            "ewallet": {
                "channel_code": "GCASH",
                "channel_properties": {"success_return_url": "https://shop.test/ok"},
            },
        },
        "metadata": {"payment_id": "pay_1"},
        **overrides,
    }


def card(token: str) -> dict[str, Any]:
    method = {
        "type": "CARD",
        "reusability": "ONE_TIME_USE",
        "card": {"currency": "PHP", "card_information": {"token_id": token}},
    }
    return wallet(payment_method=method)


async def test_requests_without_the_secret_key_are_refused(app: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim.test", auth=("wrong", "")
    ) as client:
        response = await client.post("/payment_requests", json=wallet())
    assert response.status_code == 401
    assert response.json()["error_code"] == "INVALID_API_KEY"


async def test_a_wallet_waits_for_approval_then_charges_and_calls_back(
    xendit: httpx.AsyncClient, simulator: Simulator, sink: WebhookSink
) -> None:
    created = await xendit.post("/payment_requests", json=wallet())
    assert created.status_code == 201
    request = created.json()
    assert request["status"] == "REQUIRES_ACTION"
    [action] = request["actions"]
    assert (action["action"], action["url_type"]) == ("AUTH", "WEB")
    assert simulator.ledger.movements() == []

    approved = await xendit.get(action["url"].removeprefix("http://sim.test"))
    assert approved.status_code == 302
    assert approved.headers["location"] == "https://shop.test/ok"
    [charge] = simulator.ledger.movements()
    assert (charge.kind, charge.amount, charge.payment_id, charge.method) == (
        "charge",
        2550,
        "pay_1",
        "gcash",
    )
    await wait_until(lambda: len(sink.requests) == 1)
    [callback] = sink.requests
    assert str(callback.url) == "http://ingest.test/webhooks/xendit"
    token = simulator.settings.xendit_callback_token.get_secret_value()
    assert callback.headers["x-callback-token"] == token
    event = sink.events()[0]
    assert event["event"] == "payment.succeeded"
    assert event["data"]["payment_request_id"] == request["id"]
    assert event["data"]["metadata"] == {"payment_id": "pay_1"}
    assert event["data"]["amount"] == 25.5


async def test_card_tokens_decide_at_once(xendit: httpx.AsyncClient) -> None:
    ok = (await xendit.post("/payment_requests", json=card("pm_card_visa"))).json()
    declined = (
        await xendit.post("/payment_requests", json=card("pm_card_chargeDeclinedProcessingError"))
    ).json()
    assert ok["status"] == "SUCCEEDED"
    assert (declined["status"], declined["failure_code"]) == ("FAILED", "PROCESSOR_ERROR")


async def test_an_idempotency_key_replays_and_refuses_a_different_body(
    xendit: httpx.AsyncClient, simulator: Simulator
) -> None:
    headers = {"idempotency-key": "att_1"}
    first = await xendit.post("/payment_requests", json=card("pm_card_visa"), headers=headers)
    again = await xendit.post("/payment_requests", json=card("pm_card_visa"), headers=headers)
    other = await xendit.post(
        "/payment_requests", json=card("pm_card_visa") | {"amount": 30}, headers=headers
    )
    assert again.json() == first.json()
    assert (other.status_code, other.json()["error_code"]) == (409, "DUPLICATE_ERROR")
    assert len(simulator.ledger.movements()) == 1


async def test_bad_input_is_an_api_validation_error(xendit: httpx.AsyncClient) -> None:
    response = await xendit.post("/payment_requests", json=wallet(currency="EUR"))
    assert (response.status_code, response.json()["error_code"]) == (400, "API_VALIDATION_ERROR")
    fractional = await xendit.post("/payment_requests", json=wallet(amount=1.234))
    assert fractional.status_code == 400


async def test_lookup_by_reference_id(xendit: httpx.AsyncClient) -> None:
    created = (await xendit.post("/payment_requests", json=wallet())).json()
    found = (await xendit.get("/payment_requests", params={"reference_id": "att_1"})).json()
    none = (await xendit.get("/payment_requests", params={"reference_id": "nope"})).json()
    assert [r["id"] for r in found["data"]] == [created["id"]]
    assert none["data"] == []
    missing = await xendit.get("/payment_requests/pr-nope")
    assert (missing.status_code, missing.json()["error_code"]) == (404, "DATA_NOT_FOUND")


async def test_refunds_move_the_ledger_and_never_exceed_the_payment(
    xendit: httpx.AsyncClient, simulator: Simulator, sink: WebhookSink
) -> None:
    paid = (await xendit.post("/payment_requests", json=card("pm_card_visa"))).json()
    refund = {
        "payment_request_id": paid["id"],
        "reference_id": "ref_1",
        "amount": 20,
        "currency": "PHP",
        "reason": "REQUESTED_BY_CUSTOMER",
    }
    ok = await xendit.post("/refunds", json=refund)
    too_much = await xendit.post("/refunds", json=refund | {"reference_id": "ref_2"})
    reused = await xendit.post("/refunds", json=refund)

    assert (ok.status_code, ok.json()["status"]) == (200, "SUCCEEDED")
    assert too_much.json()["error_code"] == "MAXIMUM_REFUND_AMOUNT_REACHED"
    assert reused.json()["error_code"] == "DUPLICATE_ERROR"
    assert [(m.kind, m.amount) for m in simulator.ledger.movements()] == [
        ("charge", 2550),
        ("refund", 2000),
    ]
    listed = (await xendit.get("/refunds", params={"payment_request_id": paid["id"]})).json()
    assert [r["id"] for r in listed["data"]] == [ok.json()["id"]]
    await wait_until(lambda: len(sink.requests) == 2)
    assert [e["event"] for e in sink.events()] == ["payment.succeeded", "refund.succeeded"]


async def test_an_outage_answers_503(xendit: httpx.AsyncClient) -> None:
    await xendit.put("/_sim/providers/xendit", json={"mode": "outage"})
    response = await xendit.post("/payment_requests", json=wallet())
    assert (response.status_code, response.json()["error_code"]) == (503, "CHANNEL_UNAVAILABLE")
