"""Capture, void and refund commands through the worker: results staged, log kept, money once."""

import asyncio
import uuid

import pytest

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    PaymentMethod,
    RefundCharge,
    VoidAuthorization,
)
from provider_worker.adapters.stripe import StripeAdapter

from .conftest import API_KEY, Worker, envelope

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning"),
]


def new_payment_id() -> str:
    return f"pay_{uuid.uuid4().hex[:12]}"


async def authorized(worker: Worker, payment_id: str) -> str:
    command = AuthorizePayment(
        payment_id=payment_id,
        attempt_id=f"att_{payment_id}",
        provider="stripe",
        amount=2500,
        currency="PHP",
        capture_method="manual",
        payment_method=PaymentMethod(type="card", token="pm_card_visa"),
    )
    await worker.handle(envelope(command, payment_id))
    (result,) = await worker.results(payment_id)
    assert result["event_type"] == "ProviderAttemptSucceeded"
    assert result["payload"]["outcome"] == "authorized"
    reference: str = result["payload"]["provider_reference"]
    return reference


def refund(payment_id: str, reference: str, operation_id: str, amount: int) -> RefundCharge:
    return RefundCharge(
        payment_id=payment_id,
        operation_id=operation_id,
        provider="stripe",
        provider_reference=reference,
        amount=amount,
        currency="PHP",
    )


async def test_capture_and_refunds_are_answered_logged_and_move_money_once(
    worker: Worker,
) -> None:
    payment_id = new_payment_id()
    reference = await authorized(worker, payment_id)
    capture = envelope(
        CaptureAuthorization(
            payment_id=payment_id,
            operation_id="op_capture",
            provider="stripe",
            provider_reference=reference,
            amount=2000,
            currency="PHP",
        ),
        payment_id,
    )
    first_refund = refund(payment_id, reference, "ref_1", 800)

    await worker.handle(capture)
    await worker.handle(capture)  # redelivered: already processed
    await worker.handle(
        envelope(first_refund, payment_id),
        envelope(refund(payment_id, reference, "ref_2", 700), payment_id),
    )
    await worker.handle(envelope(first_refund, payment_id))  # sent again by the orchestrator
    await worker.handle(envelope(refund(payment_id, reference, "ref_3", 501), payment_id))

    results = [(r["event_type"], r["payload"]) for r in (await worker.results(payment_id))[1:]]
    answered = [
        (kind, p["operation"], p["operation_id"], p.get("amount"), p.get("error", {}).get("code"))
        for kind, p in results
    ]
    assert answered == [
        ("ProviderOperationSucceeded", "capture", "op_capture", 2000, None),
        ("ProviderOperationSucceeded", "refund", "ref_1", 800, None),
        ("ProviderOperationSucceeded", "refund", "ref_2", 700, None),
        ("ProviderOperationSucceeded", "refund", "ref_1", 800, None),
        ("ProviderOperationFailed", "refund", "ref_3", None, "amount_too_large"),
    ]
    assert results[0][1]["provider_reference"] == reference
    assert results[1][1]["provider_reference"] == results[3][1]["provider_reference"]
    assert results[4][1]["error"]["category"] == "invalid_request"
    moves = await worker.moves(payment_id)
    assert moves[:2] == [("authorization", 2500), ("capture", 2000)]
    # the two refunds of one batch are sent side by side; either may land first
    assert sorted(moves[2:]) == [("refund", 700), ("refund", 800)]
    log = await worker.rows(
        "SELECT attempt_id, operation, outcome, amount FROM attempt_log "
        "WHERE payment_id = :p ORDER BY created_at, attempt_id",
        p=payment_id,
    )
    assert sorted(tuple(row) for row in log) == sorted(
        [
            (f"att_{payment_id}", "authorize", "authorized", 2500),
            ("op_capture", "capture", "succeeded", 2000),
            ("ref_1", "refund", "succeeded", 800),
            ("ref_2", "refund", "succeeded", 700),
            ("ref_3", "refund", "failed", None),
        ]
    )


async def test_a_void_that_times_out_is_answered_failed_timeout_then_succeeds_when_resent(
    worker: Worker,
) -> None:
    payment_id = new_payment_id()
    reference = await authorized(worker, payment_id)
    void = VoidAuthorization(
        payment_id=payment_id,
        operation_id="op_void",
        provider="stripe",
        provider_reference=reference,
    )
    await worker.configure(mode="timeout")
    impatient = StripeAdapter(API_KEY, worker.simulator_url, timeout_s=0.2)
    try:
        await worker.handle(envelope(void, payment_id), adapter=impatient)
    finally:
        await impatient.close()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while ("void", 2500) not in await worker.moves(payment_id):
        assert loop.time() < deadline, "the simulator never finished the void"
        await asyncio.sleep(0.05)
    await worker.configure(mode="normal")
    await worker.handle(envelope(void, payment_id))

    timed_out, done = [r["payload"] for r in (await worker.results(payment_id))[1:]]
    assert (timed_out["operation"], timed_out["error"]["category"]) == ("void", "timeout")
    assert (done["operation"], done["amount"]) == ("void", 2500)
    assert await worker.moves(payment_id) == [("authorization", 2500), ("void", 2500)]
    (row,) = await worker.rows(
        "SELECT outcome FROM attempt_log WHERE attempt_id = 'op_void' AND payment_id = :p",
        p=payment_id,
    )
    assert row.outcome == "succeeded"


async def test_a_refund_stripe_answers_pending_is_answered_pending_and_logged_so(
    worker: Worker,
) -> None:
    payment_id = new_payment_id()
    reference = await authorized(worker, payment_id)
    capture = CaptureAuthorization(
        payment_id=payment_id,
        operation_id="op_capture",
        provider="stripe",
        provider_reference=reference,
        amount=2500,
        currency="PHP",
    )
    await worker.handle(envelope(capture, payment_id))
    await worker.configure(refunds="pending_then_succeeded", refund_settle_s=60)
    try:
        await worker.handle(envelope(refund(payment_id, reference, "ref_p", 900), payment_id))
    finally:
        await worker.configure(refunds="immediate")

    answer = (await worker.results(payment_id))[-1]
    assert answer["event_type"] == "ProviderOperationSucceeded"
    assert (answer["payload"]["outcome"], answer["payload"]["amount"]) == ("pending", 900)
    (row,) = await worker.rows(
        "SELECT outcome FROM attempt_log WHERE attempt_id = 'ref_p' AND payment_id = :p",
        p=payment_id,
    )
    assert row.outcome == "pending"


async def test_a_capture_answered_500_after_effect_is_undetermined_and_the_resend_settles_it(
    worker: Worker,
) -> None:
    payment_id = new_payment_id()
    reference = await authorized(worker, payment_id)
    capture = CaptureAuthorization(
        payment_id=payment_id,
        operation_id="op_capture",
        provider="stripe",
        provider_reference=reference,
        amount=1500,
        currency="PHP",
    )
    await worker.configure(mode="error_after_effect")
    try:
        await worker.handle(envelope(capture, payment_id))
    finally:
        await worker.configure(mode="normal")
    # The orchestrator sends it again: a new message, the same operation id.
    await worker.handle(envelope(capture, payment_id))

    undetermined, settled = [r["payload"] for r in (await worker.results(payment_id))[1:]]
    assert (undetermined["error"]["category"], undetermined["error"]["code"]) == (
        "timeout",
        "http_500",
    )
    assert (settled["operation_id"], settled["amount"], settled["outcome"]) == (
        "op_capture",
        1500,
        "succeeded",
    )
    assert await worker.moves(payment_id) == [("authorization", 2500), ("capture", 1500)]
