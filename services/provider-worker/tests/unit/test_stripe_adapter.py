"""The Stripe adapter against the simulator over real HTTP: outcomes and normalization."""

import httpx
import pytest

from payroute_common.messages import AuthorizePayment, PaymentMethod
from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.stripe import StripeAdapter

from .conftest import API_KEY

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def command(token: str, attempt_id: str = "att_1", capture: str = "automatic") -> AuthorizePayment:
    return AuthorizePayment(
        payment_id="pay_1",
        attempt_id=attempt_id,
        provider="stripe",
        amount=2500,
        currency="PHP",
        capture_method=capture,  # type: ignore[arg-type]
        payment_method=PaymentMethod(type="card", token=token),
        metadata={"payment_id": "pay_1"},
    )


async def ledger(url: str) -> list[dict]:
    async with httpx.AsyncClient() as client:
        return list((await client.get(f"{url}/_sim/ledger")).json())


async def test_a_good_card_is_captured_once_however_often_it_is_sent(
    adapter: StripeAdapter, simulator: str
) -> None:
    first = await adapter.authorize(command("pm_card_visa"))
    again = await adapter.authorize(command("pm_card_visa"))
    assert first.outcome == "captured"
    assert first.provider_reference.startswith("pi_")
    assert (first.amount, first.currency) == (2500, "PHP")
    assert again.provider_reference == first.provider_reference
    moves = await ledger(simulator)
    assert [(m["kind"], m["amount"], m["payment_id"]) for m in moves] == [("charge", 2500, "pay_1")]


async def test_manual_capture_only_authorizes(adapter: StripeAdapter) -> None:
    answer = await adapter.authorize(command("pm_card_visa", capture="manual"))
    assert answer.outcome == "authorized"


@pytest.mark.parametrize(
    ("token", "category", "code", "decline_code"),
    [
        ("pm_card_chargeDeclined", "hard_decline", "card_declined", "generic_decline"),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "hard_decline",
            "card_declined",
            "insufficient_funds",
        ),
        ("pm_card_chargeDeclinedProcessingError", "soft_decline", "processing_error", None),
    ],
)
async def test_declines_are_normalized_with_the_raw_codes(
    adapter: StripeAdapter,
    simulator: str,
    token: str,
    category: str,
    code: str,
    decline_code: str | None,
) -> None:
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(command(token))
    error = raised.value.error
    assert (error.category, error.code) == (category, code)
    if decline_code:
        assert error.decline_code == decline_code
    assert raised.value.provider_reference is not None
    assert await ledger(simulator) == []


@pytest.mark.parametrize(
    ("scenario", "code"), [({"mode": "outage"}, "http_503"), ({"error_rate": 1.0}, "http_500")]
)
async def test_5xx_are_undetermined_with_the_status_and_stripes_code(
    adapter: StripeAdapter, simulator: str, scenario: dict[str, object], code: str
) -> None:
    async with httpx.AsyncClient() as client:
        await client.put(f"{simulator}/_sim/providers/stripe", json=scenario)
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(command("pm_card_visa"))
    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    assert raised.value.error.message.startswith("api_error: ")
    assert await ledger(simulator) == []


async def test_a_wrong_key_is_an_authentication_error(simulator: str) -> None:
    adapter = StripeAdapter("sk_test_wrong", simulator, timeout_s=5)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(command("pm_card_visa"))
    finally:
        await adapter.close()
    assert raised.value.error.category == "authentication"


async def test_an_unreachable_provider_is_unavailable_not_unknown() -> None:
    adapter = StripeAdapter(API_KEY, "http://127.0.0.1:9", timeout_s=2)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(command("pm_card_visa"))
    finally:
        await adapter.close()
    assert raised.value.error.category == "provider_unavailable"


async def test_a_hanging_provider_is_a_timeout(simulator: str) -> None:
    async with httpx.AsyncClient() as client:
        await client.put(f"{simulator}/_sim/providers/stripe", json={"mode": "timeout"})
    adapter = StripeAdapter(API_KEY, simulator, timeout_s=0.3)
    try:
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(command("pm_card_visa"))
    finally:
        await adapter.close()
    assert raised.value.error.category == "timeout"
