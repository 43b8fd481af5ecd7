"""The PayMongo adapter against the real simulator over HTTP: the wire format that
reached it (paths, Basic auth, JSON:API attributes, Idempotency-Key) and the
normalization of every scenario."""

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    PaymentMethod,
    RefundCharge,
    VoidAuthorization,
)
from provider_simulator.config import Settings
from provider_simulator.testing import SeenRequest, running_simulator
from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.paymongo import PaymongoAdapter

SECRET = "sk_test_paymongo_adapter_0123"
BASIC = "Basic " + base64.b64encode(f"{SECRET}:".encode()).decode()
RETURN_URL = "https://shop.example/back"


@dataclass
class Sim:
    url: str
    seen: list[SeenRequest]

    async def ledger(self) -> list[tuple[str, int]]:
        async with httpx.AsyncClient() as client:
            moves = (await client.get(f"{self.url}/_sim/ledger?provider=paymongo")).json()
        return [(m["kind"], m["amount"]) for m in moves]

    async def configure(self, **scenario: object) -> None:
        async with httpx.AsyncClient() as client:
            answer = await client.put(f"{self.url}/_sim/providers/paymongo", json=scenario)
            answer.raise_for_status()

    def api_calls(self) -> list[SeenRequest]:
        return [r for r in self.seen if r.path.startswith("/v1/")]


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    settings = Settings(
        paymongo_secret_key=SECRET, paymongo_webhook_secret="whsk_adapter", timeout_hang_s=0.5
    )
    seen: list[SeenRequest] = []
    async with running_simulator(settings, seen=seen) as url:
        yield Sim(url, seen)


@pytest.fixture
async def adapter(sim: Sim) -> AsyncIterator[PaymongoAdapter]:
    adapter = PaymongoAdapter(SECRET, sim.url, timeout_s=5)
    yield adapter
    await adapter.close()


def command(
    token: str | None = "pm_card_visa",
    *,
    method: str = "card",
    capture: str = "automatic",
    attempt_id: str = "att_1",
) -> AuthorizePayment:
    return AuthorizePayment(
        payment_id="pay_1",
        attempt_id=attempt_id,
        provider="paymongo",
        amount=25_000,
        currency="PHP",
        capture_method=capture,  # type: ignore[arg-type]
        payment_method=PaymentMethod(type=method, token=token),  # type: ignore[arg-type]
        description="Order 7",
        metadata={"order": "7"},
        return_url=RETURN_URL,
    )


def attributes(request: SeenRequest) -> dict[str, Any]:
    return dict(json.loads(request.body)["data"]["attributes"])


async def test_a_card_is_captured_with_paymongos_wire_format(
    adapter: PaymongoAdapter, sim: Sim
) -> None:
    answer = await adapter.authorize(command())
    assert (answer.outcome, answer.amount, answer.currency) == ("captured", 25_000, "PHP")
    assert answer.provider_reference.startswith("pi_")

    create, attach = sim.api_calls()
    assert (create.method, create.path) == ("POST", "/v1/payment_intents")
    assert attach.path == f"/v1/payment_intents/{answer.provider_reference}/attach"
    assert (attach.method, create.headers["authorization"]) == ("POST", BASIC)
    assert create.headers["content-type"] == attach.headers["content-type"] == "application/json"
    assert json.loads(create.body).keys() == {"data"}  # JSON:API: {"data": {"attributes"}}
    assert create.headers["idempotency-key"] == "att_1"
    assert attach.headers["idempotency-key"] == "att_1:attach"
    assert attributes(create) == {
        "amount": 25_000,
        "currency": "PHP",
        "payment_method_allowed": ["card"],
        "capture_type": "automatic",
        "description": "Order 7",
        "metadata": {"order": "7", "payment_id": "pay_1", "attempt_id": "att_1"},
    }
    assert attributes(attach) == {"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    assert await sim.ledger() == [("charge", 25_000)]


async def test_the_same_attempt_twice_charges_once(adapter: PaymongoAdapter, sim: Sim) -> None:
    first = await adapter.authorize(command())
    again = await adapter.authorize(command())
    assert again.provider_reference == first.provider_reference
    assert await sim.ledger() == [("charge", 25_000)]


@pytest.mark.parametrize(("method", "paymongo_type"), [("gcash", "gcash"), ("maya", "paymaya")])
async def test_a_wallet_needs_the_customer_on_a_redirect(
    adapter: PaymongoAdapter, sim: Sim, method: str, paymongo_type: str
) -> None:
    answer = await adapter.authorize(command(None, method=method))
    assert answer.outcome == "requires_action"
    assert answer.redirect_url is not None
    create, payment_method, _ = sim.api_calls()
    assert attributes(create)["payment_method_allowed"] == [paymongo_type]
    assert payment_method.path == "/v1/payment_methods"
    assert attributes(payment_method)["type"] == paymongo_type
    assert payment_method.headers["idempotency-key"] == "att_1:payment_method"
    assert await sim.ledger() == []

    async with httpx.AsyncClient() as client:
        confirmed = await client.get(answer.redirect_url)
    assert confirmed.status_code == 302
    assert confirmed.headers["location"] == RETURN_URL
    assert await sim.ledger() == [("charge", 25_000)]
    status = await adapter.get_status("pay_1", "att_1", answer.provider_reference)
    assert status is not None
    assert (status.outcome, status.amount) == ("captured", 25_000)


@pytest.mark.parametrize(
    ("token", "category", "code"),
    [
        ("pm_card_chargeDeclined", "hard_decline", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "hard_decline", "insufficient_funds"),
        ("pm_card_chargeDeclinedProcessingError", "soft_decline", "processor_unavailable"),
    ],
)
async def test_declines_keep_paymongos_failed_code(
    adapter: PaymongoAdapter, sim: Sim, token: str, category: str, code: str
) -> None:
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(command(token))
    assert (raised.value.error.category, raised.value.error.code) == (category, code)
    assert raised.value.provider_reference is not None
    assert await sim.ledger() == []


@pytest.mark.parametrize(
    ("scenario", "code"),
    [({"mode": "outage"}, "service_unavailable"), ({"error_rate": 1.0}, "internal_server_error")],
)
async def test_5xx_are_undetermined_with_the_status_and_paymongos_code(
    adapter: PaymongoAdapter, sim: Sim, scenario: dict[str, object], code: str
) -> None:
    await sim.configure(**scenario)
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(command())
    status = 503 if code == "service_unavailable" else 500
    assert (raised.value.error.category, raised.value.error.code) == ("timeout", f"http_{status}")
    assert raised.value.error.message.startswith(f"{code}: ")
    assert await sim.ledger() == []


async def test_a_wrong_key_is_an_authentication_error(sim: Sim) -> None:
    adapter = PaymongoAdapter("sk_test_wrong", sim.url, timeout_s=5)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(command())
    finally:
        await adapter.close()
    assert (raised.value.error.category, raised.value.error.code) == (
        "authentication",
        "api_key_invalid",
    )


async def test_a_bad_request_is_invalid_with_paymongos_code(adapter: PaymongoAdapter) -> None:
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(command("pm_unknown"))
    assert (raised.value.error.category, raised.value.error.code) == (
        "invalid_request",
        "resource_not_found",
    )


async def test_a_hang_is_a_timeout_and_the_charge_is_found_later(sim: Sim) -> None:
    await sim.configure(mode="timeout")
    adapter = PaymongoAdapter(SECRET, sim.url, timeout_s=0.2)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(command())
        assert raised.value.error.category == "timeout"
        await sim.configure(mode="normal")
        # The create hung and still ran, but the attach never came: nothing was charged.
        assert await adapter.get_status("pay_1", "att_1", None) is None
    finally:
        await adapter.close()


async def test_get_status_finds_a_charge_by_attempt_without_a_reference(
    adapter: PaymongoAdapter, sim: Sim
) -> None:
    await adapter.authorize(command(attempt_id="att_other"))
    charged = await adapter.authorize(command())
    status = await adapter.get_status("pay_1", "att_1", None)
    assert status is not None
    assert (status.outcome, status.provider_reference) == ("captured", charged.provider_reference)
    assert await adapter.get_status("pay_1", "att_never", None) is None
    by_list, by_intent = sim.api_calls()[-3:-1]
    assert (by_list.method, by_list.path) == ("GET", "/v1/payments")
    assert parse_qs(by_list.query) == {"limit": ["100"]}
    assert (by_intent.method, by_intent.path) == (
        "GET",
        f"/v1/payment_intents/{charged.provider_reference}",
    )
    assert {by_list.headers["authorization"], by_intent.headers["authorization"]} == {BASIC}


async def test_get_status_reports_a_decline(adapter: PaymongoAdapter) -> None:
    with pytest.raises(ProviderFailure):
        await adapter.authorize(command("pm_card_chargeDeclined"))
    status = await adapter.get_status("pay_1", "att_1", None)
    assert status is not None
    assert status.outcome == "failed"
    assert status.error is not None
    assert status.error.code == "generic_decline"


async def test_capture_refund_and_void_move_exactly_their_amounts(
    adapter: PaymongoAdapter, sim: Sim
) -> None:
    held = await adapter.authorize(command(capture="manual"))
    assert held.outcome == "authorized"
    capture = CaptureAuthorization(
        payment_id="pay_1",
        operation_id="op_cap",
        provider="paymongo",
        provider_reference=held.provider_reference,
        amount=20_000,
        currency="PHP",
    )
    captured = await adapter.capture(capture)
    assert (captured.provider_reference, captured.amount) == (held.provider_reference, 20_000)
    refund = RefundCharge(
        payment_id="pay_1",
        operation_id="op_ref",
        provider="paymongo",
        provider_reference=held.provider_reference,
        amount=5_000,
        currency="PHP",
        reason="requested_by_customer",
    )
    refunded = await adapter.refund(refund)
    again = await adapter.refund(refund)
    assert refunded.provider_reference.startswith("ref_")
    assert again.provider_reference == refunded.provider_reference

    capture_call = next(r for r in sim.api_calls() if r.path.endswith("/capture"))
    assert (capture_call.method, capture_call.path) == (
        "POST",
        f"/v1/payment_intents/{held.provider_reference}/capture",
    )
    assert attributes(capture_call) == {"amount": 20_000}
    assert capture_call.headers["idempotency-key"] == "op_cap"
    refund_call = next(r for r in sim.api_calls() if r.path == "/v1/refunds")
    assert (refund_call.method, refund_call.headers["idempotency-key"]) == ("POST", "op_ref")
    assert refund_call.headers["content-type"] == "application/json"
    sent = attributes(refund_call)
    assert sent["payment_id"].startswith("pay_")
    assert (sent["amount"], sent["reason"]) == (5_000, "requested_by_customer")
    assert sent["metadata"] == {"payment_id": "pay_1", "refund_id": "op_ref"}

    other = await adapter.authorize(command(capture="manual", attempt_id="att_2"))
    void = VoidAuthorization(
        payment_id="pay_1",
        operation_id="op_void",
        provider="paymongo",
        provider_reference=other.provider_reference,
    )
    voided = await adapter.void(void)
    assert voided.amount == 25_000
    void_call = sim.api_calls()[-1]
    assert (void_call.method, void_call.path) == (
        "POST",
        f"/v1/payment_intents/{other.provider_reference}/cancel",
    )
    assert (void_call.headers["idempotency-key"], attributes(void_call)) == ("op_void", {})
    assert {r.headers["authorization"] for r in sim.api_calls()} == {BASIC}
    assert await sim.ledger() == [
        ("authorization", 25_000),
        ("capture", 20_000),
        ("refund", 5_000),
        ("authorization", 25_000),
        ("void", 25_000),
    ]
    status = await adapter.get_status("pay_1", "att_1", held.provider_reference)
    assert status is not None
    assert (status.outcome, status.amount, status.amount_refunded) == ("captured", 20_000, 5_000)


async def test_capturing_a_captured_intent_is_an_invalid_request(adapter: PaymongoAdapter) -> None:
    charged = await adapter.authorize(command())
    capture = CaptureAuthorization(
        payment_id="pay_1",
        operation_id="op_cap",
        provider="paymongo",
        provider_reference=charged.provider_reference,
        amount=25_000,
        currency="PHP",
    )
    with pytest.raises(ProviderFailure) as raised:
        await adapter.capture(capture)
    assert (raised.value.error.category, raised.value.error.code) == (
        "invalid_request",
        "resource_failed_state",
    )
