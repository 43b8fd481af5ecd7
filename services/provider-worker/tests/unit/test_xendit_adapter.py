"""The Xendit adapter against the simulator over real HTTP: the wire format it sends
and the normalization of each scenario."""

import asyncio
import base64
import json
import secrets
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
from provider_worker.adapters.xendit import XenditAdapter

SECRET_KEY = "xnd_development_" + secrets.token_hex(16)
BASIC = "Basic " + base64.b64encode(f"{SECRET_KEY}:".encode()).decode()


@dataclass
class Sim:
    url: str
    seen: list[SeenRequest]

    def xendit_requests(self) -> list[SeenRequest]:
        return [r for r in self.seen if not r.path.startswith("/_sim/")]

    async def moves(self) -> list[tuple[str, int, str | None]]:
        async with httpx.AsyncClient() as client:
            ledger = (await client.get(f"{self.url}/_sim/ledger")).json()
        return [(m["kind"], m["amount"], m["payment_id"]) for m in ledger]

    async def configure(self, **scenario: object) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.put(f"{self.url}/_sim/providers/xendit", json=scenario)
            response.raise_for_status()

    async def visit(self, url: str) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.get(url)


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    settings = Settings(
        xendit_secret_key=SECRET_KEY,
        xendit_callback_token=secrets.token_hex(16),
        timeout_hang_s=0.5,
    )
    seen: list[SeenRequest] = []
    async with running_simulator(settings, seen=seen) as url:
        yield Sim(url, seen)


@pytest.fixture
async def adapter(sim: Sim) -> AsyncIterator[XenditAdapter]:
    adapter = XenditAdapter(SECRET_KEY, sim.url, timeout_s=5)
    yield adapter
    await adapter.close()


def authorize(
    method: str = "gcash", token: str | None = None, attempt: str = "att_1"
) -> AuthorizePayment:
    return AuthorizePayment(
        payment_id="pay_1",
        attempt_id=attempt,
        provider="xendit",
        amount=2550,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type=method, token=token),  # type: ignore[arg-type]
        metadata={"order": "42"},
        return_url="https://shop.test/back",
    )


def refund(reference: str, operation: str = "ref_1", amount: int = 1000) -> RefundCharge:
    return RefundCharge(
        payment_id="pay_1",
        operation_id=operation,
        provider="xendit",
        provider_reference=reference,
        amount=amount,
        currency="PHP",
        reason="requested_by_customer",
    )


def body(request: SeenRequest) -> Any:
    return json.loads(request.body)


async def test_a_wallet_payment_sends_xendits_format_and_needs_the_customer(
    adapter: XenditAdapter, sim: Sim
) -> None:
    answer = await adapter.authorize(authorize("gcash"))

    assert answer.outcome == "requires_action"
    assert answer.provider_reference.startswith("pr-")
    assert (answer.amount, answer.currency) == (2550, "PHP")
    assert answer.redirect_url is not None
    [sent] = sim.xendit_requests()
    assert (sent.method, sent.path) == ("POST", "/payment_requests")
    assert sent.headers["authorization"] == BASIC
    assert sent.headers["idempotency-key"] == "att_1"
    assert sent.headers["content-type"] == "application/json"
    assert body(sent) == {
        "reference_id": "att_1",
        "amount": 25.5,
        "currency": "PHP",
        "country": "PH",
        "payment_method": {
            "type": "EWALLET",
            "reusability": "ONE_TIME_USE",
            "ewallet": {
                "channel_code": "GCASH",
                "channel_properties": {
                    "success_return_url": "https://shop.test/back",
                    "failure_return_url": "https://shop.test/back",
                },
            },
        },
        "metadata": {"order": "42", "payment_id": "pay_1", "attempt_id": "att_1"},
    }
    assert await sim.moves() == []


async def test_the_customer_approving_charges_once_and_status_says_captured(
    adapter: XenditAdapter, sim: Sim
) -> None:
    answer = await adapter.authorize(authorize("maya"))
    assert body(sim.xendit_requests()[0])["payment_method"]["ewallet"]["channel_code"] == "PAYMAYA"
    assert answer.redirect_url is not None
    back = await sim.visit(answer.redirect_url)
    await sim.visit(answer.redirect_url)

    assert back.status_code == 302
    assert back.headers["location"] == "https://shop.test/back"
    assert await sim.moves() == [("charge", 2550, "pay_1")]
    status = await adapter.get_status("pay_1", "att_1", answer.provider_reference)
    assert status is not None
    assert (status.outcome, status.amount, status.amount_refunded) == ("captured", 2550, 0)


async def test_a_card_is_captured_once_however_often_it_is_sent(
    adapter: XenditAdapter, sim: Sim
) -> None:
    first = await adapter.authorize(authorize("card", "pm_card_visa"))
    again = await adapter.authorize(authorize("card", "pm_card_visa"))

    assert first.outcome == "captured"
    assert again.provider_reference == first.provider_reference
    sent = body(sim.xendit_requests()[0])["payment_method"]
    assert sent["type"] == "CARD"
    assert sent["card"]["card_information"] == {"token_id": "pm_card_visa"}
    assert await sim.moves() == [("charge", 2550, "pay_1")]


async def test_a_card_needing_3ds_redirects(adapter: XenditAdapter) -> None:
    answer = await adapter.authorize(authorize("card", "pm_card_threeDSecureRequired"))
    assert answer.outcome == "requires_action"
    assert answer.redirect_url is not None


@pytest.mark.parametrize(
    ("token", "category", "code"),
    [
        ("pm_card_chargeDeclined", "hard_decline", "DECLINED_BY_ISSUER"),
        ("pm_card_chargeDeclinedInsufficientFunds", "hard_decline", "INSUFFICIENT_BALANCE"),
        ("pm_card_chargeDeclinedProcessingError", "soft_decline", "PROCESSOR_ERROR"),
    ],
)
async def test_declines_are_normalized_with_xendits_failure_code(
    adapter: XenditAdapter, sim: Sim, token: str, category: str, code: str
) -> None:
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(authorize("card", token))
    assert (raised.value.error.category, raised.value.error.code) == (category, code)
    assert raised.value.provider_reference is not None
    status = await adapter.get_status("pay_1", "att_1", None)
    assert status is not None
    assert status.outcome == "failed"
    assert status.error is not None
    assert status.error.code == code
    assert await sim.moves() == []


async def test_a_wallet_the_customer_declines_fails_hard(adapter: XenditAdapter) -> None:
    answer = await adapter.authorize(authorize("gcash"))
    assert answer.redirect_url is not None
    async with httpx.AsyncClient() as client:
        await client.get(answer.redirect_url, params={"result": "failed"})
    status = await adapter.get_status("pay_1", "att_1", answer.provider_reference)
    assert status is not None
    assert status.error is not None
    assert (status.outcome, status.error.category) == ("failed", "hard_decline")


@pytest.mark.parametrize(
    ("scenario", "code", "raw"),
    [
        ({"mode": "outage"}, "http_503", "CHANNEL_UNAVAILABLE"),
        ({"error_rate": 1.0}, "http_500", "SERVER_ERROR"),
    ],
)
async def test_5xx_are_undetermined_with_the_status_and_xendits_code(
    adapter: XenditAdapter, sim: Sim, scenario: dict[str, object], code: str, raw: str
) -> None:
    await sim.configure(**scenario)
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(authorize("card", "pm_card_visa"))
    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    assert raised.value.error.message.startswith(f"{raw}: ")
    assert await sim.moves() == []


async def test_a_hang_is_a_timeout_and_status_then_finds_the_charge(
    adapter: XenditAdapter, sim: Sim
) -> None:
    await sim.configure(mode="timeout")
    impatient = XenditAdapter(SECRET_KEY, sim.url, timeout_s=0.2)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await impatient.authorize(authorize("card", "pm_card_visa"))
    finally:
        await impatient.close()
    assert raised.value.error.category == "timeout"
    await sim.configure(mode="normal")
    status = None
    deadline = asyncio.get_running_loop().time() + 5
    while status is None and asyncio.get_running_loop().time() < deadline:
        status = await adapter.get_status("pay_1", "att_1", None)
        await asyncio.sleep(0.05)
    assert status is not None
    assert status.outcome == "captured"
    assert await sim.moves() == [("charge", 2550, "pay_1")]


async def test_a_wrong_key_is_an_authentication_error(sim: Sim) -> None:
    adapter = XenditAdapter("xnd_development_wrong", sim.url, timeout_s=5)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(authorize())
    finally:
        await adapter.close()
    assert (raised.value.error.category, raised.value.error.code) == (
        "authentication",
        "INVALID_API_KEY",
    )


async def test_capture_and_void_are_refused_without_calling_xendit(
    adapter: XenditAdapter, sim: Sim
) -> None:
    capture = CaptureAuthorization(
        payment_id="pay_1",
        operation_id="cap_1",
        provider="xendit",
        provider_reference="pr-1",
        amount=100,
        currency="PHP",
    )
    void = VoidAuthorization(
        payment_id="pay_1", operation_id="void_1", provider="xendit", provider_reference="pr-1"
    )
    with pytest.raises(ProviderFailure) as captured:
        await adapter.capture(capture)
    with pytest.raises(ProviderFailure) as voided:
        await adapter.void(void)
    assert captured.value.error.category == voided.value.error.category == "invalid_request"
    assert captured.value.error.code == "manual_capture_not_supported"
    assert sim.seen == []


async def test_a_refund_sent_twice_moves_money_once(adapter: XenditAdapter, sim: Sim) -> None:
    paid = await adapter.authorize(authorize("card", "pm_card_visa"))
    first = await adapter.refund(refund(paid.provider_reference))
    again = await adapter.refund(refund(paid.provider_reference))

    assert first == again
    assert first.provider_reference.startswith("rfd-")
    assert (first.amount, first.currency) == (1000, "PHP")
    sent = [r for r in sim.xendit_requests() if r.path == "/refunds" and r.method == "POST"]
    assert sent[0].headers["idempotency-key"] == "ref_1"
    assert body(sent[0]) == {
        "payment_request_id": paid.provider_reference,
        "reference_id": "ref_1",
        "amount": 10.0,
        "currency": "PHP",
        "reason": "REQUESTED_BY_CUSTOMER",
        "metadata": {"payment_id": "pay_1", "refund_id": "ref_1"},
    }
    assert sent[0].headers["content-type"] == "application/json"
    assert await sim.moves() == [("charge", 2550, "pay_1"), ("refund", 1000, "pay_1")]
    status = await adapter.get_status("pay_1", "att_1", paid.provider_reference)
    assert status is not None
    assert status.amount_refunded == 1000


async def test_refunding_more_than_is_left_is_an_invalid_request(adapter: XenditAdapter) -> None:
    paid = await adapter.authorize(authorize("card", "pm_card_visa"))
    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund(paid.provider_reference, amount=9999))
    assert (raised.value.error.category, raised.value.error.code) == (
        "invalid_request",
        "MAXIMUM_REFUND_AMOUNT_REACHED",
    )


async def test_status_of_an_attempt_xendit_never_saw_is_none(adapter: XenditAdapter) -> None:
    assert await adapter.get_status("pay_1", "att_unknown", None) is None


async def test_get_status_reads_the_request_by_id_or_reference_id_and_its_refunds(
    adapter: XenditAdapter, sim: Sim
) -> None:
    paid = await adapter.authorize(authorize("card", "pm_card_visa"))
    by_id = await adapter.get_status("pay_1", "att_1", paid.provider_reference)
    by_reference_id = await adapter.get_status("pay_1", "att_1", None)

    assert by_id == by_reference_id
    reads = [r for r in sim.xendit_requests() if r.method == "GET"]
    assert [(r.path, parse_qs(r.query)) for r in reads] == [
        (f"/payment_requests/{paid.provider_reference}", {}),
        ("/refunds", {"payment_request_id": [paid.provider_reference]}),
        ("/payment_requests", {"reference_id": ["att_1"]}),
        ("/refunds", {"payment_request_id": [paid.provider_reference]}),
    ]
    assert {r.headers["authorization"] for r in reads} == {BASIC}
    assert not any("idempotency-key" in r.headers for r in reads)
