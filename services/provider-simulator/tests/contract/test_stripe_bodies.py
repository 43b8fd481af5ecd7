"""Contract: every Stripe JSON body the simulator sends fits the official SDK's types.

The installed `stripe` SDK's resource classes are generated from Stripe's OpenAPI spec
(see stripe_types.py). Each flow below drives the simulator in-process; afterwards every
API answer (`object` → its SDK class, `error` → `stripe.ErrorObject`) and every webhook
(`stripe.Event`, its `data.object` → its SDK class) is checked: required fields present
and non-null, no field the SDK does not declare, the right `object`, JSON types and enums.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import stripe

from .conftest import Recorder
from .stripe_types import class_of, problems

Flow = Callable[[httpx.AsyncClient, Recorder], Awaitable[None]]
CONTAINERS = {"search_result", "list"}


def answer_problems(label: str, body: Any) -> list[str]:
    if "error" in body:
        return problems(body["error"], stripe.ErrorObject, f"{label} error")
    if body.get("object") in CONTAINERS:
        return [p for item in body["data"] for p in answer_problems(label, item)]
    return problems(body, class_of(body["object"]), label)


def event_problems(event: Any) -> list[str]:
    label = f"event {event['type']}"
    found = problems(event, stripe.Event, label)
    data_object = event["data"]["object"]
    return found + problems(data_object, class_of(data_object["object"]), f"{label} object")


async def configure(client: httpx.AsyncClient, **scenario: Any) -> None:
    assert (await client.put("/_sim/providers/stripe", json=scenario)).status_code == 200


async def create(client: httpx.AsyncClient, **overrides: str) -> dict[str, Any]:
    form = {
        "amount": "2000",
        "currency": "php",
        "payment_method": "pm_card_visa",
        "confirm": "true",
        "metadata[payment_id]": "pay_c",
        "metadata[attempt_id]": "att_c",
        **overrides,
    }
    result: dict[str, Any] = (await client.post("/v1/payment_intents", data=form)).json()
    return result


async def charge_and_read(client: httpx.AsyncClient, intent: dict[str, Any]) -> None:
    await client.get(f"/v1/payment_intents/{intent['id']}", params={"expand[]": "latest_charge"})
    charge = (await client.get(f"/v1/charges/{intent['latest_charge']}")).json()
    if charge.get("balance_transaction"):
        await client.get(f"/v1/balance_transactions/{charge['balance_transaction']}")


async def automatic_charge_and_refund(client: httpx.AsyncClient, _: Recorder) -> None:
    intent = await create(client, capture_method="automatic")
    refund = (await client.post("/v1/refunds", data={"payment_intent": intent["id"]})).json()
    await client.get(f"/v1/refunds/{refund['id']}")
    await client.get(f"/v1/balance_transactions/{refund['balance_transaction']}")
    await charge_and_read(client, intent)


async def create_then_confirm_later(client: httpx.AsyncClient, _: Recorder) -> None:
    unconfirmed = {"amount": "2000", "currency": "php", "payment_method": "pm_card_visa"}
    intent = (await client.post("/v1/payment_intents", data=unconfirmed)).json()
    await client.get(f"/v1/payment_intents/{intent['id']}", params={"expand[]": "payment_method"})
    await client.post(f"/v1/payment_intents/{intent['id']}/cancel")


async def full_and_partial_capture(client: httpx.AsyncClient, _: Recorder) -> None:
    full = await create(client, capture_method="manual")
    await client.post(f"/v1/payment_intents/{full['id']}/capture")
    partial = await create(client, capture_method="manual")
    path = f"/v1/payment_intents/{partial['id']}/capture"
    await client.post(path, data={"amount_to_capture": "1500", "expand[]": "latest_charge"})
    await charge_and_read(client, partial)
    await client.post("/v1/refunds", data={"payment_intent": partial["id"], "amount": "500"})
    await charge_and_read(client, partial)


async def cancel_an_authorization(client: httpx.AsyncClient, _: Recorder) -> None:
    intent = await create(client, capture_method="manual")
    await client.post(f"/v1/payment_intents/{intent['id']}/cancel")
    await charge_and_read(client, intent)


def pending_refunds(mode: str) -> Flow:
    async def flow(client: httpx.AsyncClient, _: Recorder) -> None:
        intent = await create(client)
        await configure(client, refunds=mode, refund_settle_s=0.01)
        refund = (await client.post("/v1/refunds", data={"payment_intent": intent["id"]})).json()
        await client.get(f"/v1/refunds/{refund['id']}")

    return flow


async def errors(client: httpx.AsyncClient, _: Recorder) -> None:
    await create(client, payment_method="pm_card_chargeDeclined")
    await create(client, payment_method="pm_card_chargeDeclinedProcessingError")
    succeeded = await create(client)
    await client.post(f"/v1/payment_intents/{succeeded['id']}/capture")
    await client.post(f"/v1/payment_intents/{succeeded['id']}/cancel")
    await client.post("/v1/refunds", data={"payment_intent": succeeded["id"], "amount": "9999"})
    await client.get("/v1/payment_intents/pi_missing")
    await client.post("/v1/payment_intents", data={"amount": "1", "currency": "php", "x": "1"})
    await client.post("/v1/payment_intents", data={"currency": "php"})
    await client.post("/v1/payment_intents", data={f"metadata[k{i}]": "v" for i in range(51)})
    await client.get("/v1/nowhere")
    key = {"Idempotency-Key": "att_contract_mismatch"}
    await client.post(
        "/v1/payment_intents", data={"amount": "2000", "currency": "php"}, headers=key
    )
    await client.post(
        "/v1/payment_intents", data={"amount": "2001", "currency": "php"}, headers=key
    )
    for mode in ("outage", "error_after_effect"):
        await configure(client, mode=mode)
        await client.post("/v1/payment_intents", data={"amount": "2000", "currency": "php"})
    await configure(client, mode="normal")


async def three_d_secure(client: httpx.AsyncClient, _: Recorder) -> None:
    intent = await create(
        client,
        payment_method="pm_card_threeDSecure2Required",
        return_url="https://shop.test/back",
    )
    await client.get(intent["next_action"]["redirect_to_url"]["url"])
    await charge_and_read(client, intent)


async def balance_and_search(client: httpx.AsyncClient, _: Recorder) -> None:
    await create(client)
    await client.get("/v1/balance")
    query = {"query": "metadata['payment_id']:'pay_c'", "expand[]": "data.latest_charge"}
    await client.get("/v1/payment_intents/search", params=query)


async def dispute(client: httpx.AsyncClient, recorder: Recorder, outcome: str) -> None:
    intent = await create(client, payment_method="pm_card_createDispute")
    await settled(recorder, {"charge.dispute.created"})
    (opened,) = [e for e in recorder.events if e["type"] == "charge.dispute.created"]
    dispute_id = opened["data"]["object"]["id"]
    await client.post(f"/_sim/stripe/disputes/{dispute_id}/close", json={"outcome": outcome})
    await charge_and_read(client, intent)
    await client.get("/v1/balance")


async def dispute_won(client: httpx.AsyncClient, recorder: Recorder) -> None:
    await dispute(client, recorder, "won")


async def dispute_lost(client: httpx.AsyncClient, recorder: Recorder) -> None:
    await dispute(client, recorder, "lost")


FLOWS: dict[str, tuple[Flow, set[str]]] = {
    "automatic charge and refund": (
        automatic_charge_and_refund,
        {"payment_intent.succeeded", "charge.refunded", "refund.created"},
    ),
    "create, then cancel": (create_then_confirm_later, {"payment_intent.canceled"}),
    "full and partial capture": (
        full_and_partial_capture,
        {"payment_intent.amount_capturable_updated", "payment_intent.succeeded"},
    ),
    "cancel an authorization": (cancel_an_authorization, {"payment_intent.canceled"}),
    "refunds immediate": (pending_refunds("immediate"), {"refund.created", "charge.refunded"}),
    "refunds pending_then_succeeded": (
        pending_refunds("pending_then_succeeded"),
        {"refund.created", "refund.updated", "charge.refund.updated", "charge.refunded"},
    ),
    "refunds pending_then_failed": (
        pending_refunds("pending_then_failed"),
        {"refund.created", "refund.updated", "charge.refund.updated"},
    ),
    "errors": (errors, {"payment_intent.payment_failed"}),
    "3-D Secure": (three_d_secure, {"payment_intent.requires_action", "payment_intent.succeeded"}),
    "balance and search": (balance_and_search, {"payment_intent.succeeded"}),
    "dispute won": (
        dispute_won,
        {
            "charge.dispute.created",
            "charge.dispute.funds_withdrawn",
            "charge.dispute.funds_reinstated",
            "charge.dispute.closed",
        },
    ),
    "dispute lost": (
        dispute_lost,
        {"charge.dispute.created", "charge.dispute.funds_withdrawn", "charge.dispute.closed"},
    ),
}


async def settled(recorder: Recorder, expected: set[str], timeout_s: float = 5.0) -> None:
    """Wait, with a deadline, until the flow's webhooks have all arrived."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not expected <= recorder.event_types():
        missing = expected - recorder.event_types()
        assert asyncio.get_running_loop().time() < deadline, f"webhooks never sent: {missing}"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("name", list(FLOWS))
async def test_every_stripe_body_fits_the_sdk(
    name: str, stripe_http: httpx.AsyncClient, recorder: Recorder
) -> None:
    flow, expected_events = FLOWS[name]

    await flow(stripe_http, recorder)
    await settled(recorder, expected_events)

    assert recorder.answers, "the flow sent no Stripe request"
    found = [p for label, _, body in recorder.answers for p in answer_problems(label, body)]
    found += [p for event in recorder.events for p in event_problems(event)]
    assert found == []


async def test_the_checker_catches_what_the_sdk_refuses() -> None:
    charge = {"id": "ch_1", "object": "refund", "amount": None, "surprise": 1}

    found = problems(charge, stripe.Charge)

    assert "$.surprise: not declared by stripe.Charge" in found
    assert any(p.startswith("$.object: 'refund' is not one of") for p in found)
    assert any(p.startswith("$.amount: null") for p in found)
    assert "$.disputed: required by stripe.Charge, missing" in found
