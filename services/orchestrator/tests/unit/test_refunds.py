"""Refunds: partial and full, never more than captured, refusals answered."""

from orchestrator.testing import (
    TIMEOUT,
    attempt_ok,
    create,
    operation_failed,
    operation_ok,
    refund,
    verify,
)
from payroute_common.messages import RefundFailed, RefundSucceeded

from .flow import Flow, types


def captured() -> Flow:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "captured"))
    return flow


def refused(flow: Flow) -> str:
    event = RefundFailed.model_validate(flow.last_event().payload)
    assert event.refund.failure is not None
    return event.refund.failure.code


def test_a_partial_refund_goes_to_the_provider_then_partially_refunds() -> None:
    flow = captured()
    assert types(flow.send(refund("re_1", 2_500))) == ["RefundCreated", "RefundCharge"]
    charge = flow.last_command("RefundCharge")
    assert (charge["operation_id"], charge["provider_reference"]) == ("re_1", "pi_1")
    assert charge["amount"] == 2_500
    assert types(flow.send(operation_ok("re_1", "refund", 2_500))) == ["RefundSucceeded"]
    event = RefundSucceeded.model_validate(flow.last_event().payload)
    assert event.reason == "refund re_1 of 2500 succeeded"
    assert event.refund.status == "succeeded"
    assert (event.payment.status, event.payment.amount_refunded) == ("partially_refunded", 2_500)


def test_refunds_adding_up_to_the_captured_amount_refund_the_payment() -> None:
    flow = captured()
    flow.send(refund("re_1", 4_000))
    flow.send(refund("re_2", 6_000))
    flow.send(operation_ok("re_2", "refund", 6_000))
    flow.send(operation_ok("re_1", "refund", 4_000))
    assert (flow.payment.status, flow.payment.amount_refunded) == ("refunded", 10_000)


def test_pending_refunds_count_against_what_is_refundable() -> None:
    flow = captured()
    flow.send(refund("re_1", 8_000))
    version = flow.payment.version
    assert types(flow.send(refund("re_2", 2_001))) == ["RefundFailed"]
    assert refused(flow) == "amount_exceeds_refundable"
    assert flow.payment.version == version + 1
    assert flow.uow.refunds.rows["re_2"].status == "failed"


def test_a_refused_provider_refund_releases_its_reservation() -> None:
    flow = captured()
    flow.send(refund("re_1", 10_000))
    assert types(flow.send(operation_failed("re_1", "refund"))) == ["RefundFailed"]
    assert flow.payment.status == "captured"
    assert flow.payment.amount_refund_pending == 0
    assert types(flow.send(refund("re_2", 10_000))) == ["RefundCreated", "RefundCharge"]


def test_a_refund_that_timed_out_stays_pending() -> None:
    flow = captured()
    flow.send(refund("re_1", 10_000))
    assert flow.send(operation_failed("re_1", "refund", TIMEOUT)) == []
    assert flow.uow.refunds.rows["re_1"].status == "pending"
    flow.send(refund("re_2", 1))
    assert refused(flow) == "amount_exceeds_refundable"


def test_a_refund_of_an_uncaptured_payment_is_refused() -> None:
    flow = Flow()
    flow.send(create())
    assert types(flow.send(refund("re_1", 100))) == ["RefundFailed"]
    assert refused(flow) == "payment_not_refundable"


def test_a_refund_in_another_currency_is_refused() -> None:
    flow = captured()
    flow.send(refund("re_1", 100, currency="USD"))
    assert refused(flow) == "currency_mismatch"


def test_the_same_refund_twice_refunds_once() -> None:
    flow = captured()
    flow.send(refund("re_1", 1_000))
    assert flow.send(refund("re_1", 1_000)) == []
    flow.send(operation_ok("re_1", "refund", 1_000))
    assert flow.send(operation_ok("re_1", "refund", 1_000)) == []
    assert flow.payment.amount_refunded == 1_000


def test_a_refund_of_a_manual_payment_succeeds_without_a_provider_call() -> None:
    flow = Flow()
    flow.send(create("cash"))
    flow.send(verify("approve"))
    sent = flow.send(refund("re_1", 10_000))
    assert types(sent) == ["RefundCreated", "RefundSucceeded"]
    assert flow.payment.status == "refunded"
    assert sent[0].payload["payment"]["version"] < sent[1].payload["payment"]["version"]
