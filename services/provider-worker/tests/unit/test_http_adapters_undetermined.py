"""PayMongo, Xendit and Maya answers that leave the outcome undetermined, against the real
simulator: `error_after_effect` (the request takes effect, then a 500) and `malformed`
(takes effect, then a 200 that is not JSON) are `timeout`. PayMongo and Xendit settle
them by the same request sent again with the same Idempotency-Key and body; Maya has
no idempotency key, so its re-sent checkout is a new one nobody pays (status queries
settle Maya). The simulator's ledger is the witness that money moved once."""

import json
from collections.abc import AsyncIterator

import pytest

from provider_simulator.config import Settings
from provider_simulator.testing import SeenRequest, running_simulator
from provider_worker.adapters.base import ProviderFailure
from provider_worker.adapters.maya import MayaAdapter
from provider_worker.adapters.paymongo import PaymongoAdapter
from provider_worker.adapters.xendit import XenditAdapter

from . import test_maya_adapter as maya
from . import test_paymongo_adapter as paymongo
from . import test_xendit_adapter as xendit

EDGE_MODES = [("error_after_effect", "http_500"), ("malformed", "malformed_answer")]


@pytest.fixture
async def paymongo_sim() -> AsyncIterator[paymongo.Sim]:
    settings = Settings(
        paymongo_secret_key=paymongo.SECRET, paymongo_webhook_secret="whsk_1", timeout_hang_s=0.5
    )
    seen: list[SeenRequest] = []
    async with running_simulator(settings, seen=seen) as url:
        yield paymongo.Sim(url, seen)


@pytest.fixture
async def xendit_sim() -> AsyncIterator[xendit.Sim]:
    settings = Settings(
        xendit_secret_key=xendit.SECRET_KEY, xendit_callback_token="cb_1", timeout_hang_s=0.5
    )
    seen: list[SeenRequest] = []
    async with running_simulator(settings, seen=seen) as url:
        yield xendit.Sim(url, seen)


@pytest.fixture
async def maya_sim() -> AsyncIterator[maya.Sim]:
    settings = Settings(
        maya_public_key=maya.PUBLIC_KEY, maya_secret_key=maya.SECRET_KEY, timeout_hang_s=0.5
    )
    seen: list[SeenRequest] = []
    async with running_simulator(settings, seen=seen) as url:
        yield maya.Sim(url, seen)


@pytest.mark.parametrize(("mode", "code"), EDGE_MODES)
async def test_paymongo_resends_the_same_requests_and_charges_once(
    paymongo_sim: paymongo.Sim, mode: str, code: str
) -> None:
    adapter = PaymongoAdapter(paymongo.SECRET, paymongo_sim.url, timeout_s=5)
    try:
        await paymongo_sim.configure(mode=mode)
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(paymongo.command())
        await paymongo_sim.configure(mode="normal")
        answer = await adapter.authorize(paymongo.command())
    finally:
        await adapter.close()

    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    assert (answer.outcome, answer.amount) == ("captured", 25_000)
    creates = [r for r in paymongo_sim.api_calls() if r.path == "/v1/payment_intents"]
    assert [r.headers["idempotency-key"] for r in creates] == ["att_1", "att_1"]
    assert creates[0].body == creates[1].body
    assert await paymongo_sim.ledger() == [("charge", 25_000)]


async def test_paymongo_refund_it_settles_later_is_pending(paymongo_sim: paymongo.Sim) -> None:
    adapter = PaymongoAdapter(paymongo.SECRET, paymongo_sim.url, timeout_s=5)
    try:
        paid = await adapter.authorize(paymongo.command())
        await paymongo_sim.configure(refunds="pending_then_succeeded", refund_settle_s=60)
        answer = await adapter.refund(
            paymongo.RefundCharge(
                payment_id="pay_1",
                operation_id="op_ref",
                provider="paymongo",
                provider_reference=paid.provider_reference,
                amount=5_000,
                currency="PHP",
            )
        )
    finally:
        await adapter.close()

    assert (answer.amount, answer.outcome) == (5_000, "pending")


@pytest.mark.parametrize(("mode", "code"), EDGE_MODES)
async def test_xendit_resends_the_same_request_and_charges_once(
    xendit_sim: xendit.Sim, mode: str, code: str
) -> None:
    adapter = XenditAdapter(xendit.SECRET_KEY, xendit_sim.url, timeout_s=5)
    try:
        await xendit_sim.configure(mode=mode)
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(xendit.authorize("card", "pm_card_visa"))
        await xendit_sim.configure(mode="normal")
        answer = await adapter.authorize(xendit.authorize("card", "pm_card_visa"))
    finally:
        await adapter.close()

    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    assert (answer.outcome, answer.amount) == ("captured", 2550)
    creates = [r for r in xendit_sim.xendit_requests() if r.path == "/payment_requests"]
    assert [r.headers["idempotency-key"] for r in creates] == ["att_1", "att_1"]
    assert json.loads(creates[0].body) == json.loads(creates[1].body)
    assert await xendit_sim.moves() == [("charge", 2550, "pay_1")]


@pytest.mark.parametrize(("mode", "code"), EDGE_MODES)
async def test_xendit_refund_answered_badly_is_settled_by_the_resend(
    xendit_sim: xendit.Sim, mode: str, code: str
) -> None:
    adapter = XenditAdapter(xendit.SECRET_KEY, xendit_sim.url, timeout_s=5)
    try:
        paid = await adapter.authorize(xendit.authorize("card", "pm_card_visa"))
        await xendit_sim.configure(mode=mode)
        with pytest.raises(ProviderFailure) as raised:
            await adapter.refund(xendit.refund(paid.provider_reference))
        await xendit_sim.configure(mode="normal")
        answer = await adapter.refund(xendit.refund(paid.provider_reference))
    finally:
        await adapter.close()

    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    assert (answer.amount, answer.outcome) == (1000, "succeeded")
    assert await xendit_sim.moves() == [("charge", 2550, "pay_1"), ("refund", 1000, "pay_1")]


async def test_xendit_refund_it_settles_later_is_pending(xendit_sim: xendit.Sim) -> None:
    adapter = XenditAdapter(xendit.SECRET_KEY, xendit_sim.url, timeout_s=5)
    try:
        paid = await adapter.authorize(xendit.authorize("card", "pm_card_visa"))
        await xendit_sim.configure(refunds="pending_then_failed", refund_settle_s=60)
        answer = await adapter.refund(xendit.refund(paid.provider_reference))
    finally:
        await adapter.close()

    assert (answer.amount, answer.outcome) == (1000, "pending")


@pytest.mark.parametrize(("mode", "code"), EDGE_MODES)
async def test_a_maya_checkout_sent_again_is_a_new_unpaid_checkout(
    maya_sim: maya.Sim, mode: str, code: str
) -> None:
    adapter = MayaAdapter(maya.PUBLIC_KEY, maya.SECRET_KEY, maya_sim.url, timeout_s=5)
    try:
        await maya_sim.configure(mode=mode)
        with pytest.raises(ProviderFailure) as raised:
            await adapter.authorize(maya.authorize())
        await maya_sim.configure(mode="normal")
        answer = await adapter.authorize(maya.authorize())
        status = await adapter.get_status("pay_1", "att_1", None)
    finally:
        await adapter.close()

    assert (raised.value.error.category, raised.value.error.code) == ("timeout", code)
    assert answer.outcome == "requires_action"
    assert status is not None
    assert status.outcome == "requires_action"
    assert await maya_sim.moves() == []
