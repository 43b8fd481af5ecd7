"""Cards that need 3-D Secure: `requires_action`, the redirect, and what completing it moves."""

from urllib.parse import parse_qs, urlsplit

import pytest

RETURN_URL = "https://shop.example/return?order=42"


async def _needs_action(sim, **overrides):
    response = await sim.create_intent(
        payment_method="pm_card_threeDSecureRequired", return_url=RETURN_URL, **overrides
    )
    assert response.status_code == 200
    return response.json()


async def test_a_3ds_card_requires_action_with_a_redirect_and_moves_no_money(sim):
    intent = await _needs_action(sim)

    assert intent["status"] == "requires_action"
    assert intent["amount_received"] == intent["amount_capturable"] == 0
    assert intent["next_action"]["type"] == "redirect_to_url"
    redirect = intent["next_action"]["redirect_to_url"]
    assert redirect["return_url"] == RETURN_URL
    assert redirect["url"].startswith(f"http://sim.test/_sim/stripe/authenticate/{intent['id']}?")
    assert await sim.ledger() == []
    await sim.wait_until(lambda: len(sim.sink.requests) == 1)
    assert sim.sink.events()[0]["type"] == "payment_intent.requires_action"


async def test_without_a_return_url_stripe_js_must_handle_the_action(sim):
    response = await sim.create_intent(payment_method="pm_card_threeDSecure2Required")

    assert response.json()["status"] == "requires_action"
    assert response.json()["next_action"]["type"] == "use_stripe_sdk"


async def test_return_url_needs_confirm(sim):
    response = await sim.create_intent(return_url=RETURN_URL, confirm="false")

    assert response.status_code == 400
    assert response.json()["error"]["param"] == "return_url"


@pytest.mark.parametrize(
    ("capture_method", "status", "kind"),
    [("automatic", "succeeded", "charge"), ("manual", "requires_capture", "authorization")],
)
async def test_completing_the_challenge_charges_once_and_returns_the_customer(
    sim, capture_method, status, kind
):
    intent = await _needs_action(sim, capture_method=capture_method)
    url = intent["next_action"]["redirect_to_url"]["url"]

    done = await sim.client.get(url, headers={"Authorization": ""})
    again = await sim.client.get(url)

    assert done.status_code == 302
    back = urlsplit(done.headers["location"])
    assert back.netloc == "shop.example"
    query = parse_qs(back.query)
    assert query["order"] == ["42"]
    assert query["payment_intent"] == [intent["id"]]
    assert query["redirect_status"] == ["succeeded"]
    assert again.json()["error"]["code"] == "payment_intent_unexpected_state"
    fetched = (await sim.client.get(f"/v1/payment_intents/{intent['id']}")).json()
    assert fetched["status"] == status
    assert fetched["next_action"] is None
    assert [(m["kind"], m["amount"], m["payment_id"]) for m in await sim.ledger()] == [
        (kind, 2500, "pay_123")
    ]


async def test_a_failed_challenge_moves_no_money(sim):
    intent = await _needs_action(sim)
    url = intent["next_action"]["redirect_to_url"]["url"]

    failed = await sim.client.get(f"{url}&result=failed")

    assert parse_qs(urlsplit(failed.headers["location"]).query)["redirect_status"] == ["failed"]
    fetched = (await sim.client.get(f"/v1/payment_intents/{intent['id']}")).json()
    assert fetched["status"] == "requires_payment_method"
    assert fetched["last_payment_error"]["code"] == "payment_intent_authentication_failure"
    assert await sim.ledger() == []


async def test_a_wrong_client_secret_is_refused(sim):
    intent = await _needs_action(sim)

    response = await sim.client.get(
        f"/_sim/stripe/authenticate/{intent['id']}", params={"client_secret": "nope"}
    )

    assert response.status_code == 404
    assert await sim.ledger() == []
