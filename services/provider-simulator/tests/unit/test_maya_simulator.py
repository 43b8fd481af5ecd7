"""The simulated Maya Checkout: which key for which call, the hosted page, unsigned
webhooks, voids and refunds against the ledger, Maya's error codes."""

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


def client_with(app: FastAPI, key: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim.test", auth=(key, "")
    )


@pytest.fixture
async def public(app: FastAPI, simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with client_with(app, simulator.settings.maya_public_key.get_secret_value()) as client:
        yield client


@pytest.fixture
async def secret(app: FastAPI, simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with client_with(app, simulator.settings.maya_secret_key.get_secret_value()) as client:
        yield client


CHECKOUT: dict[str, Any] = {
    "totalAmount": {"value": 25.5, "currency": "PHP"},
    "requestReferenceNumber": "att_1",
    "redirectUrl": {
        "success": "https://shop.test/ok",
        "failure": "https://shop.test/failed",
        "cancel": "https://shop.test/cancel",
    },
    "metadata": {"payment_id": "pay_1"},
}


async def paid_checkout(public: httpx.AsyncClient, secret: httpx.AsyncClient) -> str:
    created = (await public.post("/checkout/v1/checkouts", json=CHECKOUT)).json()
    await secret.get(created["redirectUrl"].removeprefix("http://sim.test"))
    return str(created["checkoutId"])


async def test_checkouts_take_the_public_key_and_payments_the_secret_one(
    public: httpx.AsyncClient, secret: httpx.AsyncClient
) -> None:
    with_secret = await secret.post("/checkout/v1/checkouts", json=CHECKOUT)
    created = await public.post("/checkout/v1/checkouts", json=CHECKOUT)
    checkout_id = created.json()["checkoutId"]
    with_public = await public.get(f"/payments/v1/payments/{checkout_id}")

    assert (with_secret.status_code, with_secret.json()["code"]) == (401, "K003")
    assert with_public.status_code == 401
    assert created.status_code == 200
    payment = (await secret.get(f"/payments/v1/payments/{checkout_id}")).json()
    assert (payment["status"], payment["amount"], payment["isPaid"]) == (
        "PENDING_TOKEN",
        "25.50",
        False,
    )


async def test_paying_charges_once_and_sends_an_unsigned_webhook(
    public: httpx.AsyncClient,
    secret: httpx.AsyncClient,
    simulator: Simulator,
    sink: WebhookSink,
) -> None:
    created = (await public.post("/checkout/v1/checkouts", json=CHECKOUT)).json()
    page = created["redirectUrl"].removeprefix("http://sim.test")
    paid = await secret.get(page)
    await secret.get(page)

    assert (paid.status_code, paid.headers["location"]) == (302, "https://shop.test/ok")
    [charge] = simulator.ledger.movements()
    assert (charge.kind, charge.amount, charge.payment_id) == ("charge", 2550, "pay_1")
    await wait_until(lambda: len(sink.requests) == 1)
    [webhook] = sink.requests
    assert str(webhook.url) == "http://ingest.test/webhooks/maya"
    assert not any("signature" in name or "token" in name for name in webhook.headers)
    body = sink.events()[0]
    assert (body["id"], body["status"], body["requestReferenceNumber"]) == (
        created["checkoutId"],
        "PAYMENT_SUCCESS",
        "att_1",
    )


async def test_a_failed_payment_goes_back_to_the_failure_url(
    public: httpx.AsyncClient, secret: httpx.AsyncClient, simulator: Simulator
) -> None:
    created = (await public.post("/checkout/v1/checkouts", json=CHECKOUT)).json()
    page = created["redirectUrl"].removeprefix("http://sim.test")
    failed = await secret.get(page, params={"result": "failed"})
    assert failed.headers["location"] == "https://shop.test/failed"
    assert simulator.ledger.movements() == []


async def test_payments_are_found_by_request_reference_number(
    public: httpx.AsyncClient, secret: httpx.AsyncClient
) -> None:
    checkout_id = await paid_checkout(public, secret)
    found = (await secret.get("/payments/v1/payment-rrns/att_1")).json()
    missing = await secret.get("/payments/v1/payment-rrns/nope")
    assert [p["id"] for p in found] == [checkout_id]
    assert (missing.status_code, missing.json()["code"]) == (404, "PY0009")


async def test_void_once_then_already_voided(
    public: httpx.AsyncClient, secret: httpx.AsyncClient, simulator: Simulator
) -> None:
    checkout_id = await paid_checkout(public, secret)
    first = await secret.post(f"/payments/v1/payments/{checkout_id}/voids", json={"reason": "x"})
    again = await secret.post(f"/payments/v1/payments/{checkout_id}/voids", json={"reason": "x"})
    assert first.json()["status"] == "SUCCESS"
    assert (again.status_code, again.json()["code"]) == (400, "2547")
    assert [m.kind for m in simulator.ledger.movements()] == ["charge", "void"]


async def test_refunds_never_exceed_the_payment(
    public: httpx.AsyncClient, secret: httpx.AsyncClient, simulator: Simulator
) -> None:
    checkout_id = await paid_checkout(public, secret)
    path = f"/payments/v1/payments/{checkout_id}/refunds"
    refund = {"totalAmount": {"amount": 20, "currency": "PHP"}, "reason": "r"}
    ok = await secret.post(path, json=refund | {"requestReferenceNumber": "ref_1"})
    too_much = await secret.post(path, json=refund)
    assert ok.json()["totalAmount"] == {"amount": "20.00", "currency": "PHP"}
    assert (too_much.status_code, too_much.json()["code"]) == (400, "2546")
    listed = (await secret.get(path)).json()
    assert [r["requestReferenceNumber"] for r in listed] == ["ref_1"]
    assert [(m.kind, m.amount) for m in simulator.ledger.movements()] == [
        ("charge", 2550),
        ("refund", 2000),
    ]


async def test_missing_parameters_are_code_2553(public: httpx.AsyncClient) -> None:
    response = await public.post("/checkout/v1/checkouts", json={"requestReferenceNumber": "a"})
    assert (response.status_code, response.json()["code"]) == (400, "2553")
    assert response.json()["parameters"][0]["field"] == "totalAmount"
