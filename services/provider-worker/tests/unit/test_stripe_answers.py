"""Stripe answers normalized, from canned HTTP answers the simulator does not give."""

import pytest

from provider_worker.adapters.base import ProviderFailure

from .stripe_canned import canned, refund_object, stripe_error
from .test_stripe_operations import authorize, capture, refund


@pytest.mark.parametrize(
    ("status", "body", "category", "code"),
    [
        (429, stripe_error("rate_limit", "rate_limit_error"), "timeout", "rate_limited"),
        (429, stripe_error("lock_timeout", "rate_limit_error"), "timeout", "rate_limited"),
        (500, stripe_error("api_error", "api_error"), "timeout", "http_500"),
        (502, "<html>bad gateway</html>", "timeout", "http_502"),
        (409, stripe_error("idempotency_key_in_use"), "timeout", "idempotency_key_in_use"),
        (200, '{"id": "pi_1", "obj', "timeout", "malformed_answer"),
        (200, {"id": "pi_1", "object": "payment_intent"}, "timeout", "malformed_answer"),
        (200, {"id": "pi_1", "object": "payment_intent", "status": "new"}, "timeout",
         "malformed_answer"),
        (401, stripe_error("api_key_expired"), "authentication", "api_key_expired"),
        (403, stripe_error("secret_key_required"), "authentication", "secret_key_required"),
        (400, stripe_error("parameter_missing"), "invalid_request", "parameter_missing"),
    ],
)  # fmt: skip
async def test_each_answer_is_normalized(
    status: int, body: object, category: str, code: str
) -> None:
    adapter = canned(status, body)  # type: ignore[arg-type]

    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(authorize())

    assert (raised.value.error.category, raised.value.error.code) == (category, code)


async def test_an_undetermined_answer_keeps_stripes_code_in_the_message() -> None:
    adapter = canned(429, stripe_error("lock_timeout", "rate_limit_error"))

    with pytest.raises(ProviderFailure) as raised:
        await adapter.capture(capture("pi_1", 100))

    assert raised.value.error.message == "lock_timeout: lock_timeout (canned)"


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        ("failed", "charge_for_pending_refund_disputed", "charge_for_pending_refund_disputed"),
        ("failed", None, "refund_failed"),
        ("canceled", None, "refund_failed"),
    ],
)
async def test_a_refund_failed_at_once_is_a_definite_refusal_with_stripes_reason(
    status: str, reason: str | None, code: str
) -> None:
    adapter = canned(200, refund_object(status, reason))

    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund("pi_1", 700, "ref_1"))

    assert (raised.value.error.category, raised.value.error.code) == ("hard_decline", code)
    assert raised.value.provider_reference == "re_canned"


@pytest.mark.parametrize("status", ["pending", "requires_action"])
async def test_a_refund_stripe_settles_later_is_pending(status: str) -> None:
    answer = await canned(200, refund_object(status)).refund(refund("pi_1", 700, "ref_1"))

    assert (answer.provider_reference, answer.amount, answer.outcome) == (
        "re_canned",
        700,
        "pending",
    )
