"""Simulated PayMongo: JSON:API formats, Basic auth, idempotency, the redirect page,
signed webhooks, scenario faults and the ledger."""

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from provider_simulator.app import create_app
from provider_simulator.config import Settings

from .conftest import WebhookSink, wait_until

SECRET = "sk_test_paymongo_sim_unit_0001"
WEBHOOK_SECRET = "whsk_paymongo_sim_unit"
RETURN_URL = "https://shop.example/back"


@pytest.fixture
async def pm_app(sink: WebhookSink) -> AsyncIterator[FastAPI]:
    settings = Settings(
        paymongo_secret_key=SECRET,
        paymongo_webhook_secret=WEBHOOK_SECRET,
        webhook_base_url="http://ingest.test/webhooks",
        timeout_hang_s=0.3,
    )
    app = create_app(
        settings, webhook_transport=httpx.MockTransport(sink.handle), webhook_backoff_s=0.01
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def pm(pm_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    basic = base64.b64encode(f"{SECRET}:".encode()).decode()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=pm_app),
        base_url="http://sim.test",
        headers={"Authorization": f"Basic {basic}"},
    ) as client:
        yield client


def doc(**attributes: Any) -> dict[str, Any]:
    return {"data": {"attributes": attributes}}


async def create_intent(
    pm: httpx.AsyncClient, method: str = "card", *, key: str | None = None, **extra: Any
) -> dict[str, Any]:
    attributes = {
        "amount": 10_000,
        "currency": "PHP",
        "payment_method_allowed": [method],
        "capture_type": "automatic",
        "metadata": {"payment_id": "pay_1", "attempt_id": "att_1"},
    }
    body = doc(**{**attributes, **extra})
    headers = {"Idempotency-Key": key} if key else {}
    answer = await pm.post("/v1/payment_intents", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["data"])


async def attach(pm: httpx.AsyncClient, intent_id: str, method: str) -> httpx.Response:
    body = doc(payment_method=method, return_url=RETURN_URL)
    return await pm.post(f"/v1/payment_intents/{intent_id}/attach", json=body)


async def ledger(pm: httpx.AsyncClient) -> list[tuple[str, int, str | None]]:
    moves = (await pm.get("/_sim/ledger", params={"provider": "paymongo"})).json()
    return [(m["kind"], m["amount"], m["payment_id"]) for m in moves]


def verified_events(sink: WebhookSink) -> list[dict[str, Any]]:
    """Every delivery, its `Paymongo-Signature` checked as webhook-ingest does."""
    events = []
    for request in sink.requests:
        assert str(request.url) == "http://ingest.test/webhooks/paymongo"
        parts = dict(p.split("=", 1) for p in request.headers["paymongo-signature"].split(","))
        signed = f"{parts['t']}.".encode() + request.content
        expected = hmac.new(WEBHOOK_SECRET.encode(), signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(parts["te"], expected)
        assert parts["li"] == ""
        events.append(json.loads(request.content)["data"])
    return events


async def test_a_wrong_secret_key_gets_paymongos_401(pm: httpx.AsyncClient) -> None:
    wrong = base64.b64encode(b"sk_test_wrong:").decode()
    answer = await pm.post(
        "/v1/payment_intents", json=doc(), headers={"Authorization": f"Basic {wrong}"}
    )
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["code"] == "api_key_invalid"


async def test_bearer_requests_on_the_same_paths_stay_stripes(pm: httpx.AsyncClient) -> None:
    answer = await pm.post(
        "/v1/payment_intents", json=doc(), headers={"Authorization": "Bearer sk_test_x"}
    )
    assert answer.status_code == 401
    assert "error" in answer.json()  # Stripe's error object, not PayMongo's `errors`


async def test_bad_attributes_get_paymongos_error_object(pm: httpx.AsyncClient) -> None:
    small = doc(amount=100, currency="PHP", payment_method_allowed=["card"])
    answer = await pm.post("/v1/payment_intents", json=small)
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [
            {
                "code": "parameter_below_minimum",
                "detail": "amount cannot be less than 2000.",
                "source": {"pointer": "amount", "attribute": "amount"},
            }
        ]
    }
    bare = await pm.post("/v1/payment_intents", json={"amount": 10_000})
    assert bare.json()["errors"][0]["code"] == "parameter_required"


async def test_a_card_is_charged_and_announced(pm: httpx.AsyncClient, sink: WebhookSink) -> None:
    intent = await create_intent(pm, description="Order 7")
    assert intent["type"] == "payment_intent"
    assert intent["attributes"]["status"] == "awaiting_payment_method"
    answer = (await attach(pm, intent["id"], "pm_card_visa")).json()["data"]["attributes"]
    assert answer["status"] == "succeeded"
    (payment,) = answer["payments"]
    assert payment["attributes"]["status"] == "paid"
    assert payment["attributes"]["payment_intent_id"] == intent["id"]
    assert await ledger(pm) == [("charge", 10_000, "pay_1")]

    await wait_until(lambda: len(sink.requests) == 1)
    (event,) = verified_events(sink)
    assert event["id"].startswith("evt_")
    assert event["type"] == "event"
    assert event["attributes"]["type"] == "payment.paid"
    assert event["attributes"]["livemode"] is False
    assert event["attributes"]["data"]["id"] == payment["id"]
    assert event["attributes"]["data"]["attributes"]["metadata"]["payment_id"] == "pay_1"


async def test_a_declined_card_goes_back_to_awaiting_payment_method(
    pm: httpx.AsyncClient, sink: WebhookSink
) -> None:
    intent = await create_intent(pm)
    answer = await attach(pm, intent["id"], "pm_card_chargeDeclinedInsufficientFunds")
    attrs = answer.json()["data"]["attributes"]
    assert answer.status_code == 200
    assert attrs["status"] == "awaiting_payment_method"
    assert attrs["last_payment_error"]["failed_code"] == "insufficient_funds"
    assert await ledger(pm) == []
    await wait_until(lambda: len(sink.requests) == 1)
    assert verified_events(sink)[0]["attributes"]["type"] == "payment.failed"


@pytest.mark.parametrize(("result", "event"), [("", "payment.paid"), ("failed", "payment.failed")])
async def test_gcash_waits_for_the_customer_on_the_redirect_page(
    pm: httpx.AsyncClient, sink: WebhookSink, result: str, event: str
) -> None:
    intent = await create_intent(pm, "gcash")
    method = await pm.post("/v1/payment_methods", json=doc(type="gcash"))
    assert method.json()["data"]["attributes"]["type"] == "gcash"
    attrs = (await attach(pm, intent["id"], method.json()["data"]["id"])).json()["data"][
        "attributes"
    ]
    assert attrs["status"] == "awaiting_next_action"
    redirect = attrs["next_action"]["redirect"]
    assert attrs["next_action"]["type"] == "redirect"
    assert redirect["return_url"] == RETURN_URL
    assert sink.requests == []

    confirmed = await pm.get(redirect["url"], params={"result": result} if result else {})
    assert confirmed.status_code == 302
    assert confirmed.headers["location"] == RETURN_URL
    await wait_until(lambda: len(sink.requests) == 1)
    assert verified_events(sink)[0]["attributes"]["type"] == event
    moved = [("charge", 10_000, "pay_1")] if event == "payment.paid" else []
    assert await ledger(pm) == moved


async def test_webhook_first_tokens_answer_after_the_webhook_went_out(
    pm: httpx.AsyncClient, sink: WebhookSink
) -> None:
    intent = await create_intent(pm, "paymaya")
    answer = await attach(pm, intent["id"], "pm_paymaya_webhookFirst")
    assert answer.json()["data"]["attributes"]["status"] == "awaiting_next_action"
    assert [e["attributes"]["type"] for e in verified_events(sink)] == ["payment.paid"]
    shown = (await pm.get(f"/v1/payment_intents/{intent['id']}")).json()["data"]
    assert shown["attributes"]["status"] == "succeeded"


async def test_an_idempotency_key_replays_and_refuses_another_body(
    pm: httpx.AsyncClient,
) -> None:
    first = await create_intent(pm, key="att_1")
    again = await create_intent(pm, key="att_1")
    assert again["id"] == first["id"]
    other = doc(amount=20_000, currency="PHP", payment_method_allowed=["card"])
    refused = await pm.post("/v1/payment_intents", json=other, headers={"Idempotency-Key": "att_1"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "idempotency_key_reused"


async def test_manual_capture_capture_and_refunds_move_the_ledger(
    pm: httpx.AsyncClient, sink: WebhookSink
) -> None:
    intent = await create_intent(pm, capture_type="manual")
    held = (await attach(pm, intent["id"], "pm_card_visa")).json()["data"]["attributes"]
    assert held["status"] == "awaiting_capture"
    path = f"/v1/payment_intents/{intent['id']}/capture"
    captured = (await pm.post(path, json=doc(amount=8_000))).json()["data"]["attributes"]
    assert captured["status"] == "succeeded"
    payment_id = captured["payments"][0]["id"]

    refund = await pm.post(
        "/v1/refunds", json=doc(amount=3_000, payment_id=payment_id, reason="others")
    )
    assert refund.status_code == 200, refund.text
    assert refund.json()["data"]["type"] == "refund"
    assert refund.json()["data"]["attributes"]["status"] == "succeeded"
    too_much = await pm.post("/v1/refunds", json=doc(amount=5_001, payment_id=payment_id))
    assert too_much.status_code == 400
    assert await ledger(pm) == [
        ("authorization", 10_000, "pay_1"),
        ("capture", 8_000, "pay_1"),
        ("refund", 3_000, "pay_1"),
    ]
    await wait_until(lambda: len(sink.requests) == 2)
    assert [e["attributes"]["type"] for e in verified_events(sink)] == [
        "payment.paid",
        "payment.refunded",
    ]


async def test_cancel_voids_an_authorization(pm: httpx.AsyncClient) -> None:
    intent = await create_intent(pm, capture_type="manual")
    await attach(pm, intent["id"], "pm_card_visa")
    answer = await pm.post(f"/v1/payment_intents/{intent['id']}/cancel", json={})
    assert answer.json()["data"]["attributes"]["status"] == "cancelled"
    again = await pm.post(f"/v1/payment_intents/{intent['id']}/cancel", json={})
    assert again.json()["errors"][0]["code"] == "resource_failed_state"
    assert await ledger(pm) == [("authorization", 10_000, "pay_1"), ("void", 10_000, "pay_1")]


async def test_payments_are_listed_newest_first_in_pages(pm: httpx.AsyncClient) -> None:
    ids = []
    for _ in range(3):
        intent = await create_intent(pm)
        paid = (await attach(pm, intent["id"], "pm_card_visa")).json()["data"]
        ids.append(paid["attributes"]["payments"][0]["id"])
    page = (await pm.get("/v1/payments", params={"limit": 2})).json()
    assert [p["id"] for p in page["data"]] == [ids[2], ids[1]]
    assert page["has_more"] is True
    rest = (await pm.get("/v1/payments", params={"limit": 2, "before": ids[1]})).json()
    assert ([p["id"] for p in rest["data"]], rest["has_more"]) == ([ids[0]], False)


async def test_an_outage_answers_503(pm: httpx.AsyncClient) -> None:
    await pm.put("/_sim/providers/paymongo", json={"mode": "outage"})
    answer = await pm.post("/v1/payment_intents", json=doc())
    assert answer.status_code == 503
    assert answer.json()["errors"][0]["code"] == "service_unavailable"


async def test_a_timeout_hangs_then_still_charges(pm: httpx.AsyncClient) -> None:
    intent = await create_intent(pm)
    await pm.put("/_sim/providers/paymongo", json={"mode": "timeout"})
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(attach(pm, intent["id"], "pm_card_visa"), timeout=0.05)
    charged = []

    async def probe() -> None:
        charged.extend(await ledger(pm))

    async def charged_soon() -> None:
        while not charged:
            await probe()
            await asyncio.sleep(0.02)

    await asyncio.wait_for(charged_soon(), timeout=3)
    assert charged == [("charge", 10_000, "pay_1")]


def test_unset_paymongo_secrets_are_generated_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAYMONGO_SECRET_KEY", raising=False)
    monkeypatch.delenv("PAYMONGO_WEBHOOK_SECRET", raising=False)
    first, second = Settings(), Settings()
    names = set(first.generated_secrets)
    assert {"PAYMONGO_SECRET_KEY", "PAYMONGO_WEBHOOK_SECRET"} <= names
    assert first.paymongo_secret_key.get_secret_value().startswith("sk_test_")
    assert first.paymongo_secret_key != second.paymongo_secret_key
    assert first.paymongo_webhook_secret.get_secret_value() not in repr(first)
