"""Stripe answers that leave the outcome undetermined, and the re-send that settles them.

Against the real simulator: `error_after_effect` (the request takes effect, then a
500) and `malformed` (takes effect, then a 200 that is not JSON) are `timeout`; the
same command sent again carries the same Idempotency-Key and the same parameters,
Stripe replays the stored object, and the adapter answers it as a normal success.
The simulator's ledger is the witness that money moved once.
"""

import pytest

from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.stripe import StripeAdapter

from .conftest import Simulator
from .test_stripe_operations import authorize, authorized, capture, refund

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

EDGE_MODES = [("error_after_effect", "http_500"), ("malformed", "malformed_answer")]


def same_request_twice(sim: Simulator, path: str) -> None:
    """The last two requests to `path` are one request sent twice."""
    first, again = [r for r in sim.stripe_requests() if r.path == path][-2:]
    assert first.headers["idempotency-key"] == again.headers["idempotency-key"]
    assert first.form() == again.form()


@pytest.mark.parametrize(("mode", "code"), EDGE_MODES)
async def test_an_authorization_answered_badly_is_undetermined_and_the_resend_settles_it(
    adapter: StripeAdapter, sim: Simulator, mode: str, code: str
) -> None:
    await sim.configure(mode=mode)
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(authorize(capture="automatic"))
    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    await sim.configure(mode="normal")

    answer = await adapter.authorize(authorize(capture="automatic"))

    assert (answer.outcome, answer.amount, answer.currency) == ("captured", 2500, "PHP")
    same_request_twice(sim, "/v1/payment_intents")
    assert await sim.moves() == [("charge", 2500)]


@pytest.mark.parametrize(("mode", "code"), EDGE_MODES)
async def test_a_capture_answered_badly_is_undetermined_and_the_resend_settles_it(
    adapter: StripeAdapter, sim: Simulator, mode: str, code: str
) -> None:
    reference = await authorized(adapter)
    await sim.configure(mode=mode)
    with pytest.raises(ProviderFailure) as raised:
        await adapter.capture(capture(reference, 1500))
    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    await sim.configure(mode="normal")

    answer = await adapter.capture(capture(reference, 1500))

    assert (answer.provider_reference, answer.amount, answer.outcome) == (
        reference,
        1500,
        "succeeded",
    )
    same_request_twice(sim, f"/v1/payment_intents/{reference}/capture")
    assert await sim.moves() == [("authorization", 2500), ("capture", 1500)]


@pytest.mark.parametrize(("mode", "code"), EDGE_MODES)
async def test_a_refund_answered_badly_is_undetermined_and_the_resend_settles_it(
    adapter: StripeAdapter, sim: Simulator, mode: str, code: str
) -> None:
    reference = (await adapter.authorize(authorize(capture="automatic"))).provider_reference
    await sim.configure(mode=mode)
    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund(reference, 700, "ref_1"))
    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    await sim.configure(mode="normal")

    answer = await adapter.refund(refund(reference, 700, "ref_1"))

    assert (answer.amount, answer.outcome) == (700, "succeeded")
    same_request_twice(sim, "/v1/refunds")
    assert await sim.moves() == [("charge", 2500), ("refund", 700)]


async def test_a_refund_stripe_settles_later_is_pending(
    adapter: StripeAdapter, sim: Simulator
) -> None:
    reference = (await adapter.authorize(authorize(capture="automatic"))).provider_reference
    await sim.configure(refunds="pending_then_succeeded", refund_settle_s=60)

    answer = await adapter.refund(refund(reference, 700, "ref_1"))

    assert (answer.amount, answer.currency, answer.outcome) == (700, "PHP", "pending")
    assert answer.provider_reference.startswith("re_")
