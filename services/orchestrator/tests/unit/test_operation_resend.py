"""Captures, voids and refunds whose answers were undetermined or lost are sent again,
under the same id, until the provider answers definitely; every one ends in an event
that shows its outcome."""

from dataclasses import replace
from datetime import timedelta

from orchestrator.handlers.resend import OPERATION_CHECK
from orchestrator.recovery import RecoveryPolicy
from orchestrator.testing import (
    TIMEOUT,
    attempt_ok,
    cancel,
    capture,
    create,
    operation_failed,
    operation_ok,
    refund,
)
from payroute_common.clock import utcnow
from payroute_common.messages import PaymentOperationFailed, ProviderError

from .flow import Flow, types

REFUSED = ProviderError(
    category="invalid_request", code="payment_intent_unexpected_state", message="no"
)


def authorized(policy: RecoveryPolicy = RecoveryPolicy()) -> Flow:
    flow = Flow(policy)
    flow.send(create(capture_method="manual"))
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "authorized"))
    return flow


def checks(flow: Flow) -> list[dict[str, object]]:
    return [t.payload for t in flow.uow.timers.scheduled if t.kind == OPERATION_CHECK]


def test_a_capture_is_watched_from_the_moment_it_is_sent() -> None:
    flow = authorized()
    flow.send(capture())
    op_id = flow.last_command("CaptureAuthorization")["operation_id"]
    assert checks(flow) == [{"operation_id": op_id, "checks": 0}]
    (timer,) = [t for t in flow.uow.timers.scheduled if t.kind == OPERATION_CHECK]
    assert timedelta(seconds=1) < timer.due_at - utcnow() <= timedelta(seconds=2)


def test_a_capture_whose_answer_was_lost_is_sent_again_and_ends_captured() -> None:
    flow = authorized()
    flow.send(capture(8_000))
    first = flow.last_command("CaptureAuthorization")
    assert flow.send(operation_failed(first["operation_id"], "capture", TIMEOUT)) == []
    assert flow.payment.operation is not None
    assert flow.payment.operation.status == "unknown"
    sent = flow.fire_scheduled(OPERATION_CHECK)
    assert types(sent) == ["PaymentAttemptUpdated", "CaptureAuthorization"]
    assert sent[1].payload == first
    assert sent[0].payload["reason"] == (
        f"the capture {first['operation_id']}: its answer told nothing; sent it to stripe "
        "again under the same idempotency key, so that it tells what it did; looking again "
        "in 5 s"
    )
    assert sent[0].payload["payment"]["status"] == "authorized"
    done = flow.send(operation_ok(first["operation_id"], "capture", 8_000))
    assert types(done) == ["PaymentCaptured"]
    assert done[0].payload["reason"] == (
        "captured 8000 of 10000 authorized; 2000 released (sent again once: an answer was "
        "undetermined or lost)"
    )
    assert flow.fire_scheduled(OPERATION_CHECK) == []
    flow.send(cancel())
    refused = PaymentOperationFailed.model_validate(flow.last_event().payload)
    assert (refused.operation, refused.failure.code) == ("cancel", "payment_not_cancelable")


def test_an_operation_without_any_answer_is_sent_again_after_the_deadline() -> None:
    flow = authorized(RecoveryPolicy(answer_deadline_s=30))
    flow.send(capture())
    assert flow.fire_scheduled(OPERATION_CHECK) == []  # still within its deadline
    assert checks(flow)[0]["checks"] == 1
    op = flow.payment.operation
    assert op is not None
    assert op.sent_at is not None
    flow.payment.operation = replace(op, sent_at=op.sent_at - timedelta(seconds=31))
    sent = flow.fire_scheduled(OPERATION_CHECK)
    assert types(sent) == ["PaymentAttemptUpdated", "CaptureAuthorization"]
    assert "no answer came" in sent[0].payload["reason"]


def test_the_next_check_of_an_unanswered_operation_comes_no_later_than_its_deadline() -> None:
    flow = authorized(RecoveryPolicy(query_delays_s=(60.0,), answer_deadline_s=10))
    flow.send(capture())
    (timer,) = [t for t in flow.uow.timers.scheduled if t.kind == OPERATION_CHECK]
    assert timer.due_at - utcnow() <= timedelta(seconds=10)


def test_a_void_refused_after_an_undetermined_answer_ends_the_operation() -> None:
    flow = authorized()
    flow.send(cancel())
    op_id = flow.last_command("VoidAuthorization")["operation_id"]
    flow.send(operation_failed(op_id, "void", TIMEOUT))
    assert types(flow.fire_scheduled(OPERATION_CHECK))[-1] == "VoidAuthorization"
    sent = flow.send(operation_failed(op_id, "void", REFUSED))
    assert types(sent) == ["PaymentOperationFailed"]
    assert sent[0].payload["reason"].endswith("the payment stays authorized")
    assert flow.payment.operation is None
    assert flow.fire_scheduled(OPERATION_CHECK) == []


def test_a_void_sent_again_ends_canceled() -> None:
    flow = authorized()
    flow.send(cancel())
    op_id = flow.last_command("VoidAuthorization")["operation_id"]
    flow.send(operation_failed(op_id, "void", TIMEOUT))
    flow.fire_scheduled(OPERATION_CHECK)
    assert types(flow.send(operation_ok(op_id, "void", 0))) == ["PaymentCanceled"]


def captured() -> Flow:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "captured"))
    return flow


def test_a_refund_with_an_undetermined_answer_is_sent_again_and_succeeds_once() -> None:
    flow = captured()
    flow.send(refund("re_1", 3_000))
    first = flow.last_command("RefundCharge")
    assert flow.send(operation_failed("re_1", "refund", TIMEOUT)) == []
    assert flow.uow.refunds.rows["re_1"].answer == "undetermined"
    sent = flow.fire_scheduled(OPERATION_CHECK)
    assert types(sent) == ["PaymentAttemptUpdated", "RefundCharge"]
    assert sent[1].payload == first
    assert types(flow.send(operation_ok("re_1", "refund", 3_000))) == ["RefundSucceeded"]
    assert flow.send(operation_ok("re_1", "refund", 3_000)) == []
    assert flow.payment.amount_refunded == 3_000
    assert flow.fire_scheduled(OPERATION_CHECK) == []


def test_a_resent_capture_answered_unavailable_stays_open() -> None:
    flow = authorized()
    flow.send(capture())
    op_id = flow.last_command("CaptureAuthorization")["operation_id"]
    flow.send(operation_failed(op_id, "capture", TIMEOUT))
    flow.fire_scheduled(OPERATION_CHECK)
    unavailable = ProviderError(category="provider_unavailable", code="503", message="down")
    assert flow.send(operation_failed(op_id, "capture", unavailable)) == []
    assert flow.payment.operation is not None
    assert types(flow.fire_scheduled(OPERATION_CHECK))[-1] == "CaptureAuthorization"


def test_a_resent_refund_answered_unavailable_stays_pending() -> None:
    flow = captured()
    flow.send(refund("re_1", 3_000))
    flow.send(operation_failed("re_1", "refund", TIMEOUT))
    unavailable = ProviderError(category="provider_unavailable", code="503", message="down")
    assert flow.send(operation_failed("re_1", "refund", unavailable)) == []
    assert flow.uow.refunds.rows["re_1"].status == "pending"
    assert flow.payment.amount_refund_pending == 3_000
