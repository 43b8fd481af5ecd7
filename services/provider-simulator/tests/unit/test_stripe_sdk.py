"""The official stripe SDK (v16, async, httpx) against the simulator over real HTTP."""

from collections.abc import AsyncIterator

import httpx
import pytest
import stripe

from provider_simulator.config import Settings
from provider_simulator.testing import running_simulator

API_KEY = "sk_test_sdk_key_0123456789"

# stripe.HTTPXClient passes the encoded form as `data=`, which httpx 0.28 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


@pytest.fixture
async def server_url() -> AsyncIterator[str]:
    settings = Settings(stripe_api_key=API_KEY, stripe_webhook_secret="whsec_sdk")
    async with running_simulator(settings) as url:
        yield url


@pytest.fixture
async def client(server_url: str) -> AsyncIterator[stripe.StripeClient]:
    http_client = stripe.HTTPXClient()
    yield stripe.StripeClient(
        API_KEY,
        base_addresses={"api": server_url},
        http_client=http_client,
        max_network_retries=0,
    )
    await http_client.close_async()


async def _ledger(server_url: str) -> list[dict[str, object]]:
    async with httpx.AsyncClient() as http:
        result: list[dict[str, object]] = (await http.get(f"{server_url}/_sim/ledger")).json()
        return result


def _params(**overrides: object) -> dict[str, object]:
    return {
        "amount": 1500,
        "currency": "php",
        "payment_method": "pm_card_visa",
        "confirm": True,
        "capture_method": "manual",
        "metadata": {"payment_id": "pay_sdk"},
        "description": "SDK test",
        **overrides,
    }


async def test_authorize_capture_refund_through_the_sdk(client, server_url):
    intent = await client.v1.payment_intents.create_async(
        params=_params(), options={"idempotency_key": "att_sdk_1"}
    )
    replay = await client.v1.payment_intents.create_async(
        params=_params(), options={"idempotency_key": "att_sdk_1"}
    )
    captured = await client.v1.payment_intents.capture_async(
        intent.id, params={"amount_to_capture": 1500}, options={"idempotency_key": "cap_sdk_1"}
    )
    refund = await client.v1.refunds.create_async(
        params={"payment_intent": intent.id, "amount": 500},
        options={"idempotency_key": "ref_sdk_1"},
    )
    fetched = await client.v1.payment_intents.retrieve_async(intent.id)

    assert intent.status == "requires_capture"
    assert intent.metadata["payment_id"] == "pay_sdk"
    assert replay.id == intent.id
    assert captured.status == "succeeded"
    assert captured.amount_received == 1500
    assert refund.id.startswith("re_")
    assert refund.status == "succeeded"
    assert fetched.status == "succeeded"
    kinds = [m["kind"] for m in await _ledger(server_url)]
    assert kinds == ["authorization", "capture", "refund"]


async def test_cancel_through_the_sdk(client, server_url):
    intent = await client.v1.payment_intents.create_async(params=_params())

    canceled = await client.v1.payment_intents.cancel_async(intent.id)

    assert canceled.status == "canceled"
    assert [m["kind"] for m in await _ledger(server_url)] == ["authorization", "void"]


async def test_decline_raises_card_error(client, server_url):
    with pytest.raises(stripe.CardError) as raised:
        await client.v1.payment_intents.create_async(
            params=_params(payment_method="pm_card_chargeDeclinedInsufficientFunds"),
            options={"idempotency_key": "att_sdk_decline"},
        )

    assert raised.value.http_status == 402
    assert raised.value.code == "card_declined"
    assert raised.value.error is not None
    assert raised.value.error.decline_code == "insufficient_funds"
    assert raised.value.error.payment_intent is not None
    assert raised.value.error.payment_intent.status == "requires_payment_method"
    assert await _ledger(server_url) == []


async def test_other_errors_map_to_sdk_exceptions(client, server_url):
    await client.v1.payment_intents.create_async(
        params=_params(), options={"idempotency_key": "att_sdk_2"}
    )
    with pytest.raises(stripe.IdempotencyError):
        await client.v1.payment_intents.create_async(
            params=_params(amount=1600), options={"idempotency_key": "att_sdk_2"}
        )
    with pytest.raises(stripe.InvalidRequestError) as missing:
        await client.v1.payment_intents.retrieve_async("pi_nope")
    assert missing.value.code == "resource_missing"

    wrong_http = stripe.HTTPXClient()
    wrong_key = stripe.StripeClient(
        "sk_test_wrong", base_addresses={"api": server_url}, http_client=wrong_http
    )
    with pytest.raises(stripe.AuthenticationError):
        await wrong_key.v1.payment_intents.retrieve_async("pi_nope")
    await wrong_http.close_async()

    async with httpx.AsyncClient() as http:
        await http.put(f"{server_url}/_sim/providers/stripe", json={"mode": "outage"})
    with pytest.raises(stripe.APIError) as outage:
        await client.v1.payment_intents.create_async(params=_params())
    assert outage.value.http_status == 503
    assert len(await _ledger(server_url)) == 1
