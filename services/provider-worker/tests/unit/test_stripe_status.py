"""`StripeAdapter.get_status` against the simulator over real HTTP: what it asks, what it maps.

Retrieve with a reference (https://docs.stripe.com/api/payment_intents/retrieve); without
one, search by the metadata sent on create
(https://docs.stripe.com/api/payment_intents/search) — the way to learn what a create that
timed out did.
"""

import asyncio
from urllib.parse import parse_qs

import pytest
import stripe

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    PaymentMethod,
    RefundCharge,
    VoidAuthorization,
)
from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.stripe import StripeAdapter
from provider_worker.adapters.stripe_status import refunds_of, search_query, status_of

from .conftest import API_KEY, Simulator

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

SEARCH = "metadata['attempt_id']:'att_1' AND metadata['payment_id']:'pay_1'"


def authorize(token: str = "pm_card_visa", capture: str = "automatic") -> AuthorizePayment:
    return AuthorizePayment(
        payment_id="pay_1",
        attempt_id="att_1",
        provider="stripe",
        amount=2500,
        currency="PHP",
        capture_method=capture,  # type: ignore[arg-type]
        payment_method=PaymentMethod(type="card", token=token),
        metadata={},
    )


async def reference_of(adapter: StripeAdapter, command: AuthorizePayment) -> str:
    return (await adapter.authorize(command)).provider_reference


async def declined(adapter: StripeAdapter, command: AuthorizePayment) -> None:
    with pytest.raises(ProviderFailure):
        await adapter.authorize(command)


async def test_with_a_reference_retrieves_the_intent_and_its_charge(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = await reference_of(adapter, authorize())

    status = await adapter.get_status("pay_1", "att_1", reference)

    assert status is not None
    assert (status.outcome, status.provider_reference) == ("captured", reference)
    assert (status.amount, status.currency, status.amount_refunded) == (2500, "PHP", 0)
    sent = sim.stripe_requests()[-1]
    assert (sent.method, sent.path) == ("GET", f"/v1/payment_intents/{reference}")
    assert parse_qs(sent.query) == {"expand[0]": ["latest_charge"]}


async def test_without_a_reference_searches_by_the_attempt_metadata(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = await reference_of(adapter, authorize())

    status = await adapter.get_status("pay_1", "att_1", None)

    assert status is not None
    assert (status.outcome, status.provider_reference) == ("captured", reference)
    sent = sim.stripe_requests()[-1]
    assert (sent.method, sent.path) == ("GET", "/v1/payment_intents/search")
    assert parse_qs(sent.query) == {"query": [SEARCH], "expand[0]": ["data.latest_charge"]}


async def test_a_create_that_timed_out_is_found_captured(sim: Simulator) -> None:
    await sim.configure(mode="timeout")
    impatient = StripeAdapter(API_KEY, sim.url, timeout_s=0.2)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await impatient.authorize(authorize())
        assert raised.value.error.category == "timeout"
        await _wait_for_a_move(sim)
        await sim.configure(mode="normal")

        status = await impatient.get_status("pay_1", "att_1", None)
    finally:
        await impatient.close()

    assert status is not None
    assert (status.outcome, status.amount) == ("captured", 2500)
    assert status.provider_reference.startswith("pi_")
    assert await sim.moves() == [("charge", 2500)]


async def test_an_attempt_stripe_never_saw_is_none(adapter: StripeAdapter) -> None:
    await reference_of(adapter, authorize())

    assert await adapter.get_status("pay_1", "att_other", None) is None
    assert await adapter.get_status("pay_1", "att_1", "pi_unknown") is None


async def test_manual_capture_is_authorized_for_the_capturable_amount(
    adapter: StripeAdapter,
) -> None:
    reference = await reference_of(adapter, authorize(capture="manual"))

    status = await adapter.get_status("pay_1", "att_1", reference)

    assert status is not None
    assert (status.outcome, status.amount) == ("authorized", 2500)


async def test_3ds_waits_for_the_customer(adapter: StripeAdapter) -> None:
    await reference_of(adapter, authorize("pm_card_threeDSecure2Required"))

    status = await adapter.get_status("pay_1", "att_1", None)

    assert status is not None
    assert status.outcome == "requires_action"


@pytest.mark.parametrize(
    ("token", "category", "decline_code"),
    [
        ("pm_card_chargeDeclined", "hard_decline", "generic_decline"),
        ("pm_card_chargeDeclinedProcessingError", "soft_decline", None),
    ],
)
async def test_a_declined_attempt_is_failed_with_the_normalized_error(
    adapter: StripeAdapter, token: str, category: str, decline_code: str | None
) -> None:
    await declined(adapter, authorize(token))

    status = await adapter.get_status("pay_1", "att_1", None)

    assert status is not None
    assert status.error is not None
    assert status.outcome == "failed"
    assert (status.error.category, status.error.decline_code) == (category, decline_code)


async def test_a_void_is_canceled(adapter: StripeAdapter) -> None:
    reference = await reference_of(adapter, authorize(capture="manual"))
    await adapter.void(
        VoidAuthorization(
            payment_id="pay_1", operation_id="op_v", provider="stripe", provider_reference=reference
        )
    )

    status = await adapter.get_status("pay_1", "att_1", reference)

    assert status is not None
    assert (status.outcome, status.amount_refunded) == ("canceled", 0)


async def test_refunds_show_in_amount_refunded(adapter: StripeAdapter) -> None:
    reference = await reference_of(adapter, authorize())
    await adapter.refund(
        RefundCharge(
            payment_id="pay_1",
            operation_id="op_r",
            provider="stripe",
            provider_reference=reference,
            amount=700,
            currency="PHP",
        )
    )

    by_reference = await adapter.get_status("pay_1", "att_1", reference)
    by_search = await adapter.get_status("pay_1", "att_1", None)

    assert by_reference is not None
    assert by_search is not None
    assert by_reference.amount_refunded == by_search.amount_refunded == 700


async def test_an_outage_is_a_failure_not_a_missing_payment(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    await sim.configure(mode="outage")

    with pytest.raises(ProviderFailure) as raised:
        await adapter.get_status("pay_1", "att_1", None)

    assert (raised.value.error.category, raised.value.error.code) == ("timeout", "http_503")


@pytest.mark.parametrize(
    ("fields", "outcome", "code"),
    [
        ({"status": "processing"}, "pending", None),
        ({"status": "requires_payment_method", "last_payment_error": None}, "failed", None),
        (
            {"status": "requires_confirmation", "last_payment_error": None},
            "failed",
            "requires_confirmation",
        ),
    ],
)
def test_statuses_the_simulator_does_not_produce(
    fields: dict[str, object], outcome: str, code: str | None
) -> None:
    intent = stripe.PaymentIntent.construct_from(
        {"id": "pi_1", "amount": 100, "currency": "php", "latest_charge": None} | fields, "sk"
    )

    status = status_of(intent)

    assert status.outcome == outcome
    if outcome == "failed":
        assert status.error is not None
        assert status.error.category == "invalid_request"
        assert status.error.code == (code or "requires_payment_method")


def test_search_query_escapes_quotes() -> None:
    assert search_query("pay_'1", "att\\1") == (
        "metadata['attempt_id']:'att\\\\1' AND metadata['payment_id']:'pay_\\'1'"
    )


async def _wait_for_a_move(sim: Simulator, timeout_s: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not await sim.moves():
        if loop.time() > deadline:
            raise AssertionError("the timed-out create never moved money")
        await asyncio.sleep(0.05)


async def test_the_remainder_a_partial_capture_released_is_not_a_refund(
    adapter: StripeAdapter,
) -> None:
    """Stripe shows capturing 1,500 of 2,500 as `amount_refunded: 1000` on the Charge."""
    reference = await reference_of(adapter, authorize(capture="manual"))
    await adapter.capture(
        CaptureAuthorization(
            payment_id="pay_1",
            operation_id="op_c",
            provider="stripe",
            provider_reference=reference,
            amount=1500,
            currency="PHP",
        )
    )
    captured = await adapter.get_status("pay_1", "att_1", reference)
    await adapter.refund(
        RefundCharge(
            payment_id="pay_1",
            operation_id="op_r",
            provider="stripe",
            provider_reference=reference,
            amount=400,
            currency="PHP",
        )
    )
    refunded = await adapter.get_status("pay_1", "att_1", reference)

    assert captured is not None
    assert refunded is not None
    assert (captured.outcome, captured.amount, captured.amount_refunded) == ("captured", 1500, 0)
    assert (refunded.amount, refunded.amount_refunded) == (1500, 400)


@pytest.mark.parametrize(
    ("charge", "refunds"),
    [
        ({"amount": 2000, "amount_captured": 1500, "amount_refunded": 500, "captured": True}, 0),
        ({"amount": 2000, "amount_captured": 1500, "amount_refunded": 800, "captured": True}, 300),
        ({"amount": 2000, "amount_captured": 2000, "amount_refunded": 700, "captured": True}, 700),
        ({"amount": 2000, "amount_captured": 0, "amount_refunded": 0, "captured": False}, 0),
    ],
)
def test_refunds_are_amount_refunded_less_what_the_capture_released(
    charge: dict[str, object], refunds: int
) -> None:
    assert refunds_of(stripe.Charge.construct_from({"id": "ch_1", **charge}, "sk")) == refunds
