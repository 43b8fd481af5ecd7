"""PayMongo, Xendit and Maya answers the simulator does not give, from canned HTTP
answers: each normalized, none escaping as an exception the worker does not expect."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from payroute_common.messages import RefundCharge
from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.maya import MayaAdapter
from provider_worker.adapters.paymongo import PaymongoAdapter
from provider_worker.adapters.xendit import XenditAdapter

from . import test_maya_adapter as maya
from . import test_paymongo_adapter as paymongo
from . import test_xendit_adapter as xendit

Handler = Callable[[httpx.Request], httpx.Response]


def answering(status: int, body: object) -> httpx.MockTransport:
    def answer(_request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    return httpx.MockTransport(answer)


def paymongo_adapter(transport: httpx.MockTransport) -> PaymongoAdapter:
    return PaymongoAdapter("sk_test_x", "https://paymongo.test", 5, transport=transport)


def xendit_adapter(transport: httpx.MockTransport) -> XenditAdapter:
    return XenditAdapter("xnd_development_x", "https://xendit.test", 5, transport=transport)


def maya_adapter(transport: httpx.MockTransport) -> MayaAdapter:
    return MayaAdapter("pk-x", "sk-x", "https://maya.test", 5, transport=transport)


ANSWERS: list[tuple[int, object, str, str]] = [
    (200, '{"data": {"id": "pi_', "timeout", "malformed_answer"),
    (200, {"data": {"id": "pi_1"}}, "timeout", "malformed_answer"),
    (200, ["not", "an", "object"], "timeout", "malformed_answer"),
    (429, {"errors": [{"code": "too_many_requests", "detail": "slow down"}]}, "timeout",
     "rate_limited"),
    (502, "<html>bad gateway</html>", "timeout", "http_502"),
    (401, {"errors": [{"code": "api_key_invalid", "detail": "no"}]}, "authentication",
     "api_key_invalid"),
    (403, {}, "authentication", "http_403"),
]  # fmt: skip


@pytest.mark.parametrize(("status", "body", "category", "code"), ANSWERS)
async def test_paymongo_answers_are_normalized(
    status: int, body: object, category: str, code: str
) -> None:
    adapter = paymongo_adapter(answering(status, body))
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(paymongo.command())
    assert (raised.value.error.category, raised.value.error.code) == (category, code)


@pytest.mark.parametrize(
    ("status", "body", "category", "code"),
    [
        (200, '{"id": "pr-', "timeout", "malformed_answer"),
        (200, {"id": "pr-1"}, "timeout", "malformed_answer"),
        (200, {"status": "SUCCEEDED"}, "timeout", "malformed_answer"),
        (429, {"error_code": "RATE_LIMIT_EXCEEDED", "message": "x"}, "timeout", "rate_limited"),
        (401, {"error_code": "INVALID_API_KEY", "message": "x"}, "authentication",
         "INVALID_API_KEY"),
    ],
)  # fmt: skip
async def test_xendit_answers_are_normalized(
    status: int, body: object, category: str, code: str
) -> None:
    adapter = xendit_adapter(answering(status, body))
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(xendit.authorize("card", "pm_card_visa"))
    assert (raised.value.error.category, raised.value.error.code) == (category, code)


@pytest.mark.parametrize(
    ("status", "body", "category", "code"),
    [
        (200, '{"checkoutId": ', "timeout", "malformed_answer"),
        (200, {"redirectUrl": "https://maya.test/pay"}, "timeout", "malformed_answer"),
        (401, {"code": "K003", "message": "x"}, "authentication", "K003"),
        (503, {"code": "PY0001", "message": "x"}, "timeout", "http_503"),
    ],
)
async def test_maya_answers_are_normalized(
    status: int, body: object, category: str, code: str
) -> None:
    adapter = maya_adapter(answering(status, body))
    with pytest.raises(ProviderFailure) as raised:
        await adapter.authorize(maya.authorize())
    assert (raised.value.error.category, raised.value.error.code) == (category, code)


def paymongo_refund_answering(refund_status: str) -> httpx.MockTransport:
    paid = {"id": "pay_x", "attributes": {"status": "paid", "amount": 25_000}}
    intent = {"id": "pi_1", "attributes": {"status": "succeeded", "payments": [paid]}}
    refund = {
        "id": "ref_1",
        "attributes": {"status": refund_status, "amount": 5_000, "currency": "PHP"},
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": intent if request.method == "GET" else refund})

    return httpx.MockTransport(answer)


def refund_command(provider: str) -> Any:
    return RefundCharge(
        payment_id="pay_1",
        operation_id="op_ref",
        provider=provider,
        provider_reference="pi_1",
        amount=5_000,
        currency="PHP",
    )


async def test_a_paymongo_refund_failed_at_once_is_a_definite_refusal() -> None:
    adapter = paymongo_adapter(paymongo_refund_answering("failed"))
    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund_command("paymongo"))
    assert (raised.value.error.category, raised.value.error.code) == (
        "hard_decline",
        "refund_failed",
    )
    assert raised.value.provider_reference == "ref_1"


@pytest.mark.parametrize(
    ("status", "outcome"), [("pending", "pending"), ("succeeded", "succeeded")]
)
async def test_a_paymongo_refund_pending_or_succeeded(status: str, outcome: str) -> None:
    answer = await paymongo_adapter(paymongo_refund_answering(status)).refund(
        refund_command("paymongo")
    )
    assert (answer.provider_reference, answer.amount, answer.outcome) == ("ref_1", 5_000, outcome)


@pytest.mark.parametrize(
    ("failure_code", "code"),
    [("INSUFFICIENT_BALANCE", "INSUFFICIENT_BALANCE"), (None, "refund_failed")],
)
async def test_a_xendit_refund_failed_at_once_is_a_definite_refusal(
    failure_code: str | None, code: str
) -> None:
    refund = {"id": "rfd-1", "status": "FAILED", "amount": 50, "currency": "PHP"}
    if failure_code:
        refund["failure_code"] = failure_code
    adapter = xendit_adapter(answering(200, refund))
    with pytest.raises(ProviderFailure) as raised:
        await adapter.refund(refund_command("xendit"))
    assert (raised.value.error.category, raised.value.error.code) == ("hard_decline", code)
