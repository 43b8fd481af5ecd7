"""The new knobs on PayMongo, Xendit and Maya: edge failures after effect replayed by
idempotency key (Maya has none: the mode just applies) and pending refunds."""

import base64
import json
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


def _client(app: FastAPI, key: str) -> httpx.AsyncClient:
    basic = base64.b64encode(f"{key}:".encode()).decode()
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://sim.test",
        headers={"Authorization": f"Basic {basic}"},
    )


@pytest.fixture
async def pm(app: FastAPI, simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app, simulator.settings.paymongo_secret_key.get_secret_value()) as c:
        yield c


@pytest.fixture
async def xendit(app: FastAPI, simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app, simulator.settings.xendit_secret_key.get_secret_value()) as c:
        yield c


async def _paymongo_payment(pm: httpx.AsyncClient) -> str:
    attributes = {
        "amount": 10_000,
        "currency": "PHP",
        "payment_method_allowed": ["card"],
        "metadata": {"payment_id": "pay_pm"},
    }
    intent = await pm.post("/v1/payment_intents", json={"data": {"attributes": attributes}})
    intent_id = intent.json()["data"]["id"]
    attach = {"data": {"attributes": {"payment_method": "pm_card_visa"}}}
    paid = await pm.post(f"/v1/payment_intents/{intent_id}/attach", json=attach)
    return str(paid.json()["data"]["attributes"]["payments"][0]["id"])


def _paymongo_refund(payment_id: str, amount: int = 10_000) -> dict[str, Any]:
    return {"data": {"attributes": {"amount": amount, "payment_id": payment_id}}}


def _kinds(simulator: Simulator, provider: str) -> list[str]:
    return [m.kind for m in simulator.ledger.movements(provider=provider)]


async def test_paymongo_error_after_effect_refund_replays_the_true_refund(pm, simulator):
    payment = await _paymongo_payment(pm)
    await pm.put("/_sim/providers/paymongo", json={"mode": "error_after_effect"})
    headers = {"Idempotency-Key": "ref_pm_1"}

    first = await pm.post("/v1/refunds", json=_paymongo_refund(payment), headers=headers)
    again = await pm.post("/v1/refunds", json=_paymongo_refund(payment), headers=headers)

    assert first.status_code == 500
    assert first.json()["errors"][0]["code"] == "internal_server_error"
    assert again.status_code == 200
    assert again.json()["data"]["type"] == "refund"
    assert _kinds(simulator, "paymongo") == ["charge", "refund"]


async def test_paymongo_pending_refunds_settle_by_webhook(pm, simulator, sink: WebhookSink):
    payment = await _paymongo_payment(pm)
    scenario = {"refunds": "pending_then_failed", "refund_settle_s": 0.05}
    await pm.put("/_sim/providers/paymongo", json=scenario)

    refund = (await pm.post("/v1/refunds", json=_paymongo_refund(payment))).json()["data"]

    assert refund["attributes"]["status"] == "pending"
    assert _kinds(simulator, "paymongo") == ["charge"]
    await wait_until(lambda: _types(sink)[-1:] == ["payment.refund.updated"])
    updated = sink.events()[-1]["data"]["attributes"]["data"]
    assert (updated["id"], updated["attributes"]["status"]) == (refund["id"], "failed")
    assert _kinds(simulator, "paymongo") == ["charge"]

    await pm.put("/_sim/providers/paymongo", json={"refunds": "pending_then_succeeded"})
    again = (await pm.post("/v1/refunds", json=_paymongo_refund(payment))).json()["data"]
    await wait_until(lambda: _types(sink)[-2:] == ["payment.refund.updated", "payment.refunded"])
    assert again["attributes"]["amount"] == 10_000
    assert _kinds(simulator, "paymongo") == ["charge", "refund"]


def _types(sink: WebhookSink) -> list[str]:
    found = []
    for event in sink.events():
        attributes = event.get("data", {}).get("attributes", {})
        found.append(attributes.get("type") or event.get("event"))
    return found


def _xendit_card(reference: str = "att_x") -> dict[str, Any]:
    method = {
        "type": "CARD",
        "reusability": "ONE_TIME_USE",
        "card": {"currency": "PHP", "card_information": {"token_id": "pm_card_visa"}},
    }
    return {
        "reference_id": reference,
        "amount": 100,
        "currency": "PHP",
        "payment_method": method,
        "metadata": {"payment_id": "pay_x"},
    }


async def test_xendit_malformed_charge_replays_the_true_answer(xendit, simulator):
    await xendit.put("/_sim/providers/xendit", json={"mode": "malformed"})
    headers = {"idempotency-key": "att_x_1"}

    first = await xendit.post("/payment_requests", json=_xendit_card(), headers=headers)
    again = await xendit.post("/payment_requests", json=_xendit_card(), headers=headers)

    assert first.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(first.content)
    assert (again.status_code, again.json()["status"]) == (201, "SUCCEEDED")
    assert _kinds(simulator, "xendit") == ["charge"]


async def test_xendit_pending_refunds_succeed_or_fail_by_callback(xendit, simulator, sink):
    request = (await xendit.post("/payment_requests", json=_xendit_card())).json()
    scenario = {"refunds": "pending_then_failed", "refund_settle_s": 0.05}
    await xendit.put("/_sim/providers/xendit", json=scenario)
    body = {"payment_request_id": request["id"], "reference_id": "rf_1", "reason": "OTHERS"}

    refund = (await xendit.post("/refunds", json=body)).json()

    assert refund["status"] == "PENDING"
    await wait_until(lambda: "refund.failed" in _types(sink))
    failed = sink.events()[-1]["data"]
    assert (failed["status"], failed["failure_code"]) == ("FAILED", "REFUND_FAILED")
    assert _kinds(simulator, "xendit") == ["charge"]
    await xendit.put("/_sim/providers/xendit", json={"refunds": "pending_then_succeeded"})
    await xendit.post("/refunds", json={**body, "reference_id": "rf_2"})
    await wait_until(lambda: "refund.succeeded" in _types(sink))
    assert _kinds(simulator, "xendit") == ["charge", "refund"]


async def test_maya_applies_the_edge_mode_without_keys(app: FastAPI, simulator: Simulator):
    await simulator_put(app, "maya", {"mode": "error_after_effect"})
    async with _client(app, simulator.settings.maya_public_key.get_secret_value()) as maya:
        checkout = {
            "totalAmount": {"value": 100, "currency": "PHP"},
            "requestReferenceNumber": "att_m",
            "redirectUrl": {"success": "https://shop.test/ok"},
        }
        answer = await maya.post("/checkout/v1/checkouts", json=checkout)
    assert answer.status_code == 500
    assert answer.json()["code"] == "1996"


async def simulator_put(app: FastAPI, provider: str, scenario: dict[str, Any]) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim.test"
    ) as admin:
        assert (await admin.put(f"/_sim/providers/{provider}", json=scenario)).status_code == 200
