"""The API key is checked on every Stripe request."""

import pytest


@pytest.mark.parametrize(
    "authorization", ["Bearer sk_test_wrong_key_9876", "Basic c2tfdGVzdDo=", ""]
)
async def test_bad_or_missing_key_is_401_and_moves_no_money(sim, authorization):
    response = await sim.client.post(
        "/v1/payment_intents",
        data={"amount": "100", "currency": "usd", "payment_method": "pm_card_visa"},
        headers={"Authorization": authorization},
    )

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert sim.api_key not in response.text
    assert await sim.ledger() == []


async def test_wrong_key_is_echoed_masked(sim):
    response = await sim.client.get(
        "/v1/payment_intents/pi_x", headers={"Authorization": "Bearer sk_test_wrong_key_9876"}
    )

    assert response.json()["error"]["message"] == "Invalid API Key provided: sk_test_****9876"


async def test_health_needs_no_key(sim):
    for path in ("/health/live", "/health/ready"):
        response = await sim.client.get(path, headers={"Authorization": ""})
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
