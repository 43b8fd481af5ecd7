"""Xendit's callback-token scheme and the normalization of its callbacks."""

import asyncio
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from provider_simulator.app import create_app
from provider_simulator.config import Settings as SimulatorSettings
from webhook_ingest.config import Settings
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError
from webhook_ingest.providers import build_providers
from webhook_ingest.providers.xendit import XenditProvider

TOKEN = secrets.token_hex(24)
RECEIVED = datetime(2027, 1, 15, tzinfo=UTC)


def callback(event: str = "payment.succeeded", **data: Any) -> bytes:
    body = {
        "event": event,
        "business_id": "5f27a14a9bf05c73dd040bc8",
        "created": "2027-01-15T00:00:00.000Z",
        "data": {
            "id": "py-1",
            "payment_request_id": "pr-1",
            "reference_id": "att_1",
            "amount": 25.5,
            "currency": "PHP",
            "status": "SUCCEEDED",
            "metadata": {"payment_id": "pay_1", "attempt_id": "att_1"},
            **data,
        },
    }
    return json.dumps(body).encode()


@pytest.fixture
def provider() -> XenditProvider:
    return XenditProvider(TOKEN)


def test_the_account_token_is_accepted(provider: XenditProvider) -> None:
    provider.verify(callback(), {"x-callback-token": TOKEN})


@pytest.mark.parametrize(
    "headers", [{}, {"x-callback-token": ""}, {"x-callback-token": TOKEN[:-1] + "x"}]
)
def test_a_missing_or_wrong_token_is_refused(
    provider: XenditProvider, headers: dict[str, str]
) -> None:
    with pytest.raises(InvalidSignatureError):
        provider.verify(callback(), headers)


def test_a_succeeded_payment_is_routed_by_its_payment_request(provider: XenditProvider) -> None:
    message = provider.parse(callback(), RECEIVED)
    assert (message.provider, message.subject, message.outcome) == (
        "xendit",
        "payment",
        "succeeded",
    )
    assert message.provider_reference == "pr-1"
    assert message.payment_id == "pay_1"
    assert (message.amount, message.currency) == (2550, "PHP")
    assert message.provider_event_id == "payment.succeeded:py-1"
    assert message.received_at == RECEIVED


@pytest.mark.parametrize(
    ("event", "subject", "outcome"),
    [
        ("payment.failed", "payment", "failed"),
        ("payment.awaiting_capture", "payment", "authorized"),
        ("refund.succeeded", "refund", "refunded"),
        ("refund.failed", "refund", "failed"),
        ("payment.pending", "payment", "other"),
        ("refund.updated", "refund", "other"),
    ],
)
def test_events_map_to_subject_and_outcome(
    provider: XenditProvider, event: str, subject: str, outcome: str
) -> None:
    message = provider.parse(callback(event), RECEIVED)
    assert (message.subject, message.outcome, message.provider_event_type) == (
        subject,
        outcome,
        event,
    )


def test_a_refund_is_routed_by_its_own_id(provider: XenditProvider) -> None:
    message = provider.parse(callback("refund.succeeded", id="rfd-1", amount=10), RECEIVED)
    assert (message.provider_reference, message.amount) == ("rfd-1", 1000)


def test_idr_has_whole_units(provider: XenditProvider) -> None:
    message = provider.parse(callback(amount=10000, currency="IDR"), RECEIVED)
    assert (message.amount, message.currency) == (1_000_000, "IDR")


def test_an_unknown_currency_drops_the_amount_not_the_event(provider: XenditProvider) -> None:
    message = provider.parse(callback(currency="XYZ"), RECEIVED)
    assert (message.amount, message.currency) == (None, None)


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"event": "payment.succeeded"}', b'{"data": {"id": "x"}}']
)
def test_unreadable_bodies_are_invalid_payloads(provider: XenditProvider, body: bytes) -> None:
    with pytest.raises(InvalidPayloadError):
        provider.parse(body, RECEIVED)


def test_built_only_when_the_callback_token_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    monkeypatch.delenv("XENDIT_CALLBACK_TOKEN", raising=False)
    assert "xendit" not in build_providers(Settings())
    monkeypatch.setenv("XENDIT_CALLBACK_TOKEN", TOKEN)
    assert "xendit" in build_providers(Settings())


async def first_webhook(settings: SimulatorSettings, drive: Any) -> httpx.Request:
    """Run the simulator in-process, let `drive(client_for)` pay, return its first webhook."""
    delivered: list[httpx.Request] = []

    def sink(request: httpx.Request) -> httpx.Response:
        delivered.append(request)
        return httpx.Response(200)

    app: FastAPI = create_app(settings, webhook_transport=httpx.MockTransport(sink))
    async with app.router.lifespan_context(app):

        def client_for(key: str) -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app)
            return httpx.AsyncClient(
                transport=transport, base_url="http://sim.test", auth=(key, "")
            )

        await drive(client_for)
        deadline = asyncio.get_running_loop().time() + 3
        while not delivered:
            assert asyncio.get_running_loop().time() < deadline, "no webhook in time"
            await asyncio.sleep(0.01)
    return delivered[0]


async def test_the_simulators_callback_verifies_and_names_the_payment_request() -> None:
    key = "xnd_development_" + secrets.token_hex(8)
    settings = SimulatorSettings(
        xendit_secret_key=key,
        xendit_callback_token=TOKEN,
        webhook_base_url="http://ingest.test/webhooks",
    )
    created: dict[str, Any] = {}

    async def pay(client_for: Any) -> None:
        body = {
            "reference_id": "att_1",
            "amount": 100,
            "currency": "PHP",
            "payment_method": {
                "type": "EWALLET",
                "reusability": "ONE_TIME_USE",
                "ewallet": {"channel_code": "GCASH"},
            },
            "metadata": {"payment_id": "pay_1"},
        }
        async with client_for(key) as xendit:
            created.update((await xendit.post("/payment_requests", json=body)).json())
            await xendit.get(created["actions"][0]["url"].removeprefix("http://sim.test"))

    webhook = await first_webhook(settings, pay)
    provider = XenditProvider(TOKEN)
    provider.verify(webhook.content, webhook.headers)
    message = provider.parse(webhook.content, RECEIVED)
    assert (message.outcome, message.provider_reference, message.payment_id) == (
        "succeeded",
        created["id"],
        "pay_1",
    )
    assert message.amount == 10000
