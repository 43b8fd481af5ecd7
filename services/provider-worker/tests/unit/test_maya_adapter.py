"""The Maya Checkout adapter against the simulator over real HTTP: the wire format it
sends (which key for which call) and the normalization of each scenario."""

import base64
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

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
from provider_worker.adapters.base import Authorization, ProviderFailure
from provider_worker.adapters.maya import MayaAdapter

PUBLIC_KEY = "pk-" + secrets.token_hex(16)
SECRET_KEY = "sk-" + secrets.token_hex(16)


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


@dataclass
class Sim:
    url: str
    seen: list[SeenRequest]

    def maya_requests(self) -> list[SeenRequest]:
        return [r for r in self.seen if not r.path.startswith("/_sim/")]

    async def moves(self) -> list[tuple[str, int, str | None]]:
        async with httpx.AsyncClient() as client:
            ledger = (await client.get(f"{self.url}/_sim/ledger")).json()
        return [(m["kind"], m["amount"], m["payment_id"]) for m in ledger]

    async def configure(self, **scenario: object) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.put(f"{self.url}/_sim/providers/maya", json=scenario)
            response.raise_for_status()

    async def pay(self, answer: Authorization, **params: str) -> httpx.Response:
        assert answer.redirect_url is not None
        async with httpx.AsyncClient() as client:
            return await client.get(answer.redirect_url, params=params)


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    settings = Settings(maya_public_key=PUBLIC_KEY, maya_secret_key=SECRET_KEY, timeout_hang_s=0.5)
    seen: list[SeenRequest] = []
    async with running_simulator(settings, seen=seen) as url:
        yield Sim(url, seen)


@pytest.fixture
async def adapter(sim: Sim) -> AsyncIterator[MayaAdapter]:
    adapter = MayaAdapter(PUBLIC_KEY, SECRET_KEY, sim.url, timeout_s=5)
    yield adapter
    await adapter.close()


def authorize(method: str = "maya", attempt: str = "att_1") -> AuthorizePayment:
    return AuthorizePayment(
        payment_id="pay_1",
        attempt_id=attempt,
        provider="maya",
        amount=2550,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type=method),  # type: ignore[arg-type]
        metadata={"order": "42"},
        return_url="https://shop.test/back",
    )


def refund(reference: str, operation: str = "ref_1", amount: int = 1000) -> RefundCharge:
    return RefundCharge(
        payment_id="pay_1",
        operation_id=operation,
        provider="maya",
        provider_reference=reference,
        amount=amount,
        currency="PHP",
        reason="requested_by_customer",
    )


def body(request: SeenRequest) -> Any:
    return json.loads(request.body)


async def test_a_checkout_is_created_with_the_public_key_in_mayas_format(
    adapter: MayaAdapter, sim: Sim
) -> None:
    answer = await adapter.authorize(authorize())

    assert answer.outcome == "requires_action"
    assert (answer.amount, answer.currency) == (2550, "PHP")
    assert answer.redirect_url is not None
    assert answer.redirect_url.startswith(
        f"{sim.url}/_sim/maya/checkout/{answer.provider_reference}"
    )
    [sent] = sim.maya_requests()
    assert (sent.method, sent.path) == ("POST", "/checkout/v1/checkouts")
    assert sent.headers["authorization"] == basic(PUBLIC_KEY)
    assert sent.headers["content-type"] == "application/json"
    assert "idempotency-key" not in sent.headers  # Maya documents none
    assert body(sent) == {
        "totalAmount": {"value": 25.5, "currency": "PHP"},
        "requestReferenceNumber": "att_1",
        "metadata": {"order": "42", "payment_id": "pay_1", "attempt_id": "att_1"},
        "redirectUrl": {
            "success": "https://shop.test/back?status=success",
            "failure": "https://shop.test/back?status=failure",
            "cancel": "https://shop.test/back?status=cancel",
        },
    }
    assert await sim.moves() == []


async def test_paying_on_the_hosted_page_charges_once(adapter: MayaAdapter, sim: Sim) -> None:
    answer = await adapter.authorize(authorize("card"))
    back = await sim.pay(answer, method="card")
    await sim.pay(answer)

    assert back.status_code == 302
    assert back.headers["location"] == "https://shop.test/back?status=success"
    assert await sim.moves() == [("charge", 2550, "pay_1")]
    by_id = await adapter.get_status("pay_1", "att_1", answer.provider_reference)
    by_rrn = await adapter.get_status("pay_1", "att_1", None)
    assert by_id == by_rrn
    assert by_id is not None
    assert (by_id.outcome, by_id.provider_reference, by_id.amount) == (
        "captured",
        answer.provider_reference,
        2550,
    )
    reads = [r for r in sim.maya_requests() if r.method == "GET"]
    assert {r.headers["authorization"] for r in reads} == {basic(SECRET_KEY)}
    payment = f"/payments/v1/payments/{answer.provider_reference}"
    assert [r.path for r in reads] == [
        payment,
        f"{payment}/refunds",
        "/payments/v1/payment-rrns/att_1",
        f"{payment}/refunds",
    ]


async def test_an_unpaid_checkout_still_requires_action(adapter: MayaAdapter) -> None:
    answer = await adapter.authorize(authorize())
    status = await adapter.get_status("pay_1", "att_1", answer.provider_reference)
    assert status is not None
    assert status.outcome == "requires_action"


@pytest.mark.parametrize(
    ("result", "outcome", "category"),
    [
        ("failed", "failed", "hard_decline"),
        ("expired", "failed", "soft_decline"),
        ("cancel", "canceled", None),
    ],
)
async def test_unpaid_endings_are_normalized(
    adapter: MayaAdapter, sim: Sim, result: str, outcome: str, category: str | None
) -> None:
    answer = await adapter.authorize(authorize())
    await sim.pay(answer, result=result)
    status = await adapter.get_status("pay_1", "att_1", answer.provider_reference)
    assert status is not None
    assert status.outcome == outcome
    assert (status.error.category if status.error else None) == category
    assert await sim.moves() == []


@pytest.mark.parametrize(
    ("scenario", "code", "raw"),
    [({"mode": "outage"}, "http_503", "PY0001"), ({"error_rate": 1.0}, "http_500", "1996")],
)
async def test_5xx_are_undetermined_with_the_status_and_mayas_code(
    adapter: MayaAdapter, sim: Sim, scenario: dict[str, object], code: str, raw: str
) -> None:
    await sim.configure(**scenario)
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(authorize())
    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    assert raised.value.error.message.startswith(f"{raw}: ")


async def test_a_hang_is_a_timeout(sim: Sim) -> None:
    await sim.configure(mode="timeout")
    adapter = MayaAdapter(PUBLIC_KEY, SECRET_KEY, sim.url, timeout_s=0.2)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(authorize())
    finally:
        await adapter.close()
    assert raised.value.error.category == "timeout"


async def test_the_secret_key_cannot_create_checkouts(sim: Sim) -> None:
    adapter = MayaAdapter(SECRET_KEY, SECRET_KEY, sim.url, timeout_s=5)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(authorize())
    finally:
        await adapter.close()
    assert (raised.value.error.category, raised.value.error.code) == ("authentication", "K003")


async def test_capture_is_refused_without_calling_maya(adapter: MayaAdapter, sim: Sim) -> None:
    capture = CaptureAuthorization(
        payment_id="pay_1",
        operation_id="cap_1",
        provider="maya",
        provider_reference="chk",
        amount=100,
        currency="PHP",
    )
    with pytest.raises(ProviderFailure) as raised:
        await adapter.capture(capture)
    assert raised.value.error.category == "invalid_request"
    assert sim.seen == []


async def test_a_void_sent_twice_releases_once(adapter: MayaAdapter, sim: Sim) -> None:
    answer = await adapter.authorize(authorize())
    await sim.pay(answer)
    void = VoidAuthorization(
        payment_id="pay_1",
        operation_id="void_1",
        provider="maya",
        provider_reference=answer.provider_reference,
    )
    first = await adapter.void(void)
    again = await adapter.void(void)

    assert first == again
    assert (first.amount, first.currency) == (2550, "PHP")
    voids = [r for r in sim.maya_requests() if r.path.endswith("/voids")]
    assert voids[0].path == f"/payments/v1/payments/{answer.provider_reference}/voids"
    assert voids[0].headers["authorization"] == basic(SECRET_KEY)
    assert body(voids[0]) == {"reason": "Canceled"}
    assert await sim.moves() == [("charge", 2550, "pay_1"), ("void", 2550, "pay_1")]


async def test_a_refund_sent_twice_moves_money_once(adapter: MayaAdapter, sim: Sim) -> None:
    answer = await adapter.authorize(authorize())
    await sim.pay(answer)
    first = await adapter.refund(refund(answer.provider_reference))
    again = await adapter.refund(refund(answer.provider_reference))

    assert first == again
    assert (first.amount, first.currency) == (1000, "PHP")
    posts = [r for r in sim.maya_requests() if r.method == "POST" and r.path.endswith("/refunds")]
    assert len(posts) == 1
    assert posts[0].path == f"/payments/v1/payments/{answer.provider_reference}/refunds"
    assert posts[0].headers["authorization"] == basic(SECRET_KEY)
    assert posts[0].headers["content-type"] == "application/json"
    assert body(posts[0]) == {
        "totalAmount": {"amount": 10.0, "currency": "PHP"},
        "reason": "requested_by_customer",
        "requestReferenceNumber": "ref_1",
    }
    assert await sim.moves() == [("charge", 2550, "pay_1"), ("refund", 1000, "pay_1")]
    status = await adapter.get_status("pay_1", "att_1", answer.provider_reference)
    assert status is not None
    assert status.amount_refunded == 1000


async def test_refunding_more_than_was_paid_is_an_invalid_request(
    adapter: MayaAdapter, sim: Sim
) -> None:
    answer = await adapter.authorize(authorize())
    await sim.pay(answer)
    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund(answer.provider_reference, amount=9999))
    assert (raised.value.error.category, raised.value.error.code) == ("invalid_request", "2546")


async def test_status_of_an_attempt_maya_never_saw_is_none(adapter: MayaAdapter) -> None:
    assert await adapter.get_status("pay_1", "att_unknown", None) is None
