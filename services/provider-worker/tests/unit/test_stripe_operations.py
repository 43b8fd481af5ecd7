"""Capture, void, refund and 3-D Secure through the Stripe adapter, against the real simulator.

What reached the simulator is checked field by field against Stripe's API
(https://docs.stripe.com/api/payment_intents, https://docs.stripe.com/api/refunds),
and the simulator's ledger is the witness that money moved once.
"""

import asyncio

import httpx
import pytest

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    PaymentMethod,
    RefundCharge,
    VoidAuthorization,
)
from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.stripe import StripeAdapter

from .conftest import API_KEY, Simulator

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

FORM = "application/x-www-form-urlencoded"


def authorize(
    token: str = "pm_card_visa", capture: str = "manual", return_url: str | None = None
) -> AuthorizePayment:
    return AuthorizePayment(
        payment_id="pay_1",
        attempt_id="att_1",
        provider="stripe",
        amount=2500,
        currency="PHP",
        capture_method=capture,  # type: ignore[arg-type]
        payment_method=PaymentMethod(type="card", token=token),
        metadata={"order_id": "ord_9"},
        return_url=return_url,
    )


def capture(reference: str, amount: int, operation_id: str = "op_cap") -> CaptureAuthorization:
    return CaptureAuthorization(
        payment_id="pay_1",
        operation_id=operation_id,
        provider="stripe",
        provider_reference=reference,
        amount=amount,
        currency="PHP",
    )


def void(reference: str, operation_id: str = "op_void") -> VoidAuthorization:
    return VoidAuthorization(
        payment_id="pay_1",
        operation_id=operation_id,
        provider="stripe",
        provider_reference=reference,
    )


def refund(
    reference: str, amount: int, operation_id: str, reason: str | None = None
) -> RefundCharge:
    return RefundCharge(
        payment_id="pay_1",
        operation_id=operation_id,
        provider="stripe",
        provider_reference=reference,
        amount=amount,
        currency="PHP",
        reason=reason,
    )


async def authorized(adapter: StripeAdapter) -> str:
    answer = await adapter.authorize(authorize())
    assert answer.outcome == "authorized"
    return answer.provider_reference


async def test_manual_authorization_sends_stripe_fields_and_holds_the_money(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    answer = await adapter.authorize(authorize())

    assert (answer.outcome, answer.amount, answer.currency) == ("authorized", 2500, "PHP")
    (sent,) = sim.stripe_requests()
    assert (sent.method, sent.path) == ("POST", "/v1/payment_intents")
    assert sent.headers["content-type"].startswith(FORM)
    assert sent.headers["idempotency-key"] == "att_1"
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.form() == {
        "amount": ["2500"],
        "currency": ["php"],
        "payment_method": ["pm_card_visa"],
        "confirm": ["true"],
        "capture_method": ["manual"],
        "metadata[order_id]": ["ord_9"],
        "metadata[payment_id]": ["pay_1"],
        "metadata[attempt_id]": ["att_1"],
    }
    assert await sim.moves() == [("authorization", 2500)]


async def test_capture_sends_amount_to_capture_under_the_operation_id(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = await authorized(adapter)

    answer = await adapter.capture(capture(reference, 1500, "op_cap_1"))

    assert (answer.provider_reference, answer.amount, answer.currency) == (reference, 1500, "PHP")
    sent = sim.stripe_requests()[-1]
    assert (sent.method, sent.path) == ("POST", f"/v1/payment_intents/{reference}/capture")
    assert sent.headers["content-type"].startswith(FORM)
    assert sent.headers["idempotency-key"] == "op_cap_1"
    assert sent.form() == {"amount_to_capture": ["1500"]}
    assert await sim.moves() == [("authorization", 2500), ("capture", 1500)]


async def test_void_cancels_the_payment_intent_and_releases_the_authorization(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = await authorized(adapter)

    answer = await adapter.void(void(reference))
    again = await adapter.void(void(reference))

    assert (answer.provider_reference, answer.amount) == (reference, 2500)
    assert again == answer
    sent = sim.stripe_requests()[-1]
    assert (sent.method, sent.path) == ("POST", f"/v1/payment_intents/{reference}/cancel")
    assert sent.headers["idempotency-key"] == "op_void"
    assert sent.form() == {}
    assert await sim.moves() == [("authorization", 2500), ("void", 2500)]


async def test_refund_sends_payment_intent_amount_reason_and_metadata(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = (await adapter.authorize(authorize(capture="automatic"))).provider_reference

    answer = await adapter.refund(refund(reference, 600, "ref_1", reason="requested_by_customer"))
    other = await adapter.refund(refund(reference, 400, "ref_2", reason="changed my mind"))

    assert answer.provider_reference.startswith("re_")
    assert (answer.amount, answer.currency) == (600, "PHP")
    first, second = sim.stripe_requests()[-2:]
    assert (first.method, first.path) == ("POST", "/v1/refunds")
    assert first.headers["idempotency-key"] == "ref_1"
    assert first.form() == {
        "payment_intent": [reference],
        "amount": ["600"],
        "reason": ["requested_by_customer"],
        "metadata[payment_id]": ["pay_1"],
        "metadata[refund_id]": ["ref_1"],
    }
    assert "reason" not in second.form()  # not one of Stripe's reasons
    assert other.amount == 400
    ledger = await sim.ledger()
    assert [(m["kind"], m["amount"], m["payment_id"]) for m in ledger] == [
        ("charge", 2500, "pay_1"),
        ("refund", 600, "pay_1"),
        ("refund", 400, "pay_1"),
    ]


async def test_partial_capture_then_partial_refunds_move_money_once_and_never_too_much(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = await authorized(adapter)
    commands = [
        capture(reference, 2000),
        refund(reference, 800, "ref_a"),
        refund(reference, 700, "ref_b"),
    ]
    for command in commands:
        first = await _operate(adapter, command)
        again = await _operate(adapter, command)  # the same command delivered twice
        assert again == first
    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund(reference, 501, "ref_c"))
    with pytest.raises(ProviderFailure) as raised_again:
        await adapter.refund(refund(reference, 501, "ref_c"))

    assert (raised.value.error.category, raised.value.error.code) == (
        "invalid_request",
        "amount_too_large",
    )
    assert raised_again.value.error == raised.value.error
    assert await sim.moves() == [
        ("authorization", 2500),
        ("capture", 2000),
        ("refund", 800),
        ("refund", 700),
    ]
    rest = await adapter.refund(refund(reference, 500, "ref_d"))
    assert rest.amount == 500
    with pytest.raises(ProviderFailure) as refunded:
        await adapter.refund(refund(reference, 1, "ref_e"))
    assert (refunded.value.error.category, refunded.value.error.code) == (
        "invalid_request",
        "charge_already_refunded",
    )
    sent = sim.stripe_requests()
    assert {r.headers["authorization"] for r in sent} == {f"Bearer {API_KEY}"}
    assert {r.headers["content-type"].split(";")[0] for r in sent} == {FORM}


async def _operate(adapter: StripeAdapter, command: CaptureAuthorization | RefundCharge) -> object:
    if isinstance(command, CaptureAuthorization):
        return await adapter.capture(command)
    return await adapter.refund(command)


@pytest.mark.parametrize(
    ("first", "then"),
    [("capture", "capture"), ("capture", "void"), ("void", "capture")],
)
async def test_an_operation_the_payment_no_longer_allows_is_invalid_request(
    adapter: StripeAdapter, sim: Simulator, first: str, then: str
) -> None:
    reference = await authorized(adapter)
    calls = {
        "capture": lambda op: adapter.capture(capture(reference, 2500, op)),
        "void": lambda op: adapter.void(void(reference, op)),
    }
    await calls[first]("op_first")

    with pytest.raises(ProviderFailure) as raised:
        await calls[then]("op_then")

    error = raised.value.error
    assert (error.category, error.code) == ("invalid_request", "payment_intent_unexpected_state")
    assert len(await sim.moves()) == 2


async def test_capturing_more_than_authorized_is_invalid_request(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = await authorized(adapter)

    with pytest.raises(ProviderFailure) as raised:
        await adapter.capture(capture(reference, 2501))

    assert (raised.value.error.category, raised.value.error.code) == (
        "invalid_request",
        "amount_too_large",
    )
    assert await sim.moves() == [("authorization", 2500)]


async def test_an_unknown_payment_intent_is_invalid_request(adapter: StripeAdapter) -> None:
    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund("pi_missing", 100, "ref_x"))

    assert (raised.value.error.category, raised.value.error.code) == (
        "invalid_request",
        "resource_missing",
    )


async def test_a_3ds_card_requires_action_with_the_redirect_url(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    answer = await adapter.authorize(
        authorize("pm_card_threeDSecureRequired", "automatic", "https://shop.example/back")
    )

    assert answer.outcome == "requires_action"
    assert answer.redirect_url is not None
    assert answer.redirect_url.startswith(f"{sim.url}/_sim/stripe/authenticate/")
    assert sim.stripe_requests()[0].form()["return_url"] == ["https://shop.example/back"]
    assert await sim.moves() == []
    async with httpx.AsyncClient() as client:
        back = await client.get(answer.redirect_url)
    assert back.status_code == 302
    assert await sim.moves() == [("charge", 2500)]


async def test_an_outage_during_a_refund_is_undetermined(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = (await adapter.authorize(authorize(capture="automatic"))).provider_reference
    await sim.configure(mode="outage")

    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund(reference, 100, "ref_out"))

    assert (raised.value.error.category, raised.value.error.code) == ("timeout", "http_503")
    assert await sim.moves() == [("charge", 2500)]


async def test_a_capture_that_times_out_is_unknown_and_safe_to_send_again(
    sim: Simulator, adapter: StripeAdapter
) -> None:
    reference = await authorized(adapter)
    await sim.configure(mode="timeout")
    impatient = StripeAdapter(API_KEY, sim.url, timeout_s=0.2)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await impatient.capture(capture(reference, 1000, "op_slow"))
    finally:
        await impatient.close()
    assert raised.value.error.category == "timeout"

    await _wait_for(lambda moves: ("capture", 1000) in moves, sim)
    await sim.configure(mode="normal")
    answer = await adapter.capture(capture(reference, 1000, "op_slow"))

    assert answer.amount == 1000
    assert await sim.moves() == [("authorization", 2500), ("capture", 1000)]


async def _wait_for(condition: object, sim: Simulator, timeout_s: float = 10.0) -> None:
    """Wait until the ledger satisfies `condition`, with a deadline."""
    assert callable(condition)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition(await sim.moves()):
        if loop.time() > deadline:
            raise AssertionError("the ledger did not reach the expected state in time")
        await asyncio.sleep(0.05)
