"""Maya's unsigned webhooks: what verify can check, the normalization of payment
notifications, and the allowlist the settings demand before taking them."""

import asyncio
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from provider_simulator.app import create_app
from provider_simulator.config import Settings as SimulatorSettings
from webhook_ingest.config import Settings
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError
from webhook_ingest.providers import build_providers
from webhook_ingest.providers.maya import MayaProvider

RECEIVED = datetime(2027, 1, 15, tzinfo=UTC)


def notification(status: str = "PAYMENT_SUCCESS", **fields: Any) -> bytes:
    body = {
        "id": "6c8d4c9e-checkout",
        "isPaid": status == "PAYMENT_SUCCESS",
        "status": status,
        "amount": "25.50",
        "currency": "PHP",
        "requestReferenceNumber": "att_1",
        "metadata": {"payment_id": "pay_1"},
        **fields,
    }
    return json.dumps(body).encode()


@pytest.fixture
def provider() -> MayaProvider:
    return MayaProvider()


def test_a_payment_notification_passes_verify(provider: MayaProvider) -> None:
    provider.verify(notification(), {})


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"id": "x"}'])
def test_what_is_not_a_maya_payment_is_refused(provider: MayaProvider, body: bytes) -> None:
    with pytest.raises(InvalidSignatureError):
        provider.verify(body, {})


def test_a_paid_checkout_is_routed_by_the_checkout_id(provider: MayaProvider) -> None:
    message = provider.parse(notification(), RECEIVED)
    assert (message.provider, message.subject, message.outcome) == ("maya", "payment", "succeeded")
    assert message.provider_reference == "6c8d4c9e-checkout"
    assert message.payment_id == "pay_1"
    assert (message.amount, message.currency) == (2550, "PHP")
    assert message.provider_event_id == "6c8d4c9e-checkout:PAYMENT_SUCCESS"


@pytest.mark.parametrize(
    ("status", "subject", "outcome"),
    [
        ("PAYMENT_FAILED", "payment", "failed"),
        ("PAYMENT_EXPIRED", "payment", "failed"),
        ("AUTH_FAILED", "payment", "failed"),
        ("PAYMENT_CANCELLED", "payment", "canceled"),
        ("VOIDED", "payment", "canceled"),
        ("AUTHORIZED", "payment", "authorized"),
        ("REFUNDED", "refund", "refunded"),
        ("PENDING_TOKEN", "payment", "other"),
    ],
)
def test_statuses_map_to_subject_and_outcome(
    provider: MayaProvider, status: str, subject: str, outcome: str
) -> None:
    message = provider.parse(notification(status), RECEIVED)
    assert (message.subject, message.outcome, message.provider_event_type) == (
        subject,
        outcome,
        status,
    )


def test_numeric_amounts_are_read_too(provider: MayaProvider) -> None:
    assert provider.parse(notification(amount=100), RECEIVED).amount == 10000


def test_unreadable_bodies_are_invalid_payloads(provider: MayaProvider) -> None:
    with pytest.raises(InvalidPayloadError):
        provider.parse(b'{"status": "PAYMENT_SUCCESS"}', RECEIVED)


def test_maya_webhooks_need_an_allowlist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    assert "maya" not in build_providers(Settings())
    monkeypatch.setenv("WEBHOOK_INGEST_MAYA_WEBHOOKS", "true")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("WEBHOOK_INGEST_ALLOWED_SOURCES", '{"maya": ["203.0.113.0/24"]}')
    assert "maya" in build_providers(Settings())


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


async def test_the_simulators_webhook_verifies_and_names_the_checkout() -> None:
    public_key = "pk-" + secrets.token_hex(8)
    settings = SimulatorSettings(
        maya_public_key=public_key,
        maya_secret_key="sk-" + secrets.token_hex(8),
        webhook_base_url="http://ingest.test/webhooks",
    )
    created: dict[str, Any] = {}

    async def pay(client_for: Any) -> None:
        checkout = {
            "totalAmount": {"value": 100, "currency": "PHP"},
            "requestReferenceNumber": "att_1",
            "metadata": {"payment_id": "pay_1"},
        }
        async with client_for(public_key) as maya:
            created.update((await maya.post("/checkout/v1/checkouts", json=checkout)).json())
            await maya.get(created["redirectUrl"].removeprefix("http://sim.test"))

    webhook = await first_webhook(settings, pay)
    provider = MayaProvider()
    provider.verify(webhook.content, webhook.headers)
    message = provider.parse(webhook.content, RECEIVED)
    assert (message.outcome, message.provider_reference, message.payment_id) == (
        "succeeded",
        created["checkoutId"],
        "pay_1",
    )
    assert message.amount == 10000
