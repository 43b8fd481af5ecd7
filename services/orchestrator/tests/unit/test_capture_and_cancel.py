"""Manual capture: authorize, then capture (all or part) or cancel; refusals answered."""

from orchestrator.testing import (
    TIMEOUT,
    attempt_ok,
    cancel,
    capture,
    create,
    operation_failed,
    operation_ok,
)
from payroute_common.messages import Fees, PaymentOperationFailed

from .flow import Flow, types


def authorized() -> Flow:
    flow = Flow()
    flow.send(create(capture_method="manual"))
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    assert types(flow.send(attempt_ok(attempt_id, "authorized"))) == ["PaymentAuthorized"]
    return flow


def failure_of(flow: Flow) -> tuple[str, str]:
    event = PaymentOperationFailed.model_validate(flow.last_event().payload)
    return event.operation, event.failure.code


def test_an_authorization_holds_the_whole_amount_for_capture() -> None:
    flow = authorized()
    assert flow.payment.status == "authorized"
    assert flow.payment.amount_capturable == 10_000
    assert flow.payment.amount_captured == 0
    assert flow.payment.fees is None


def test_a_full_capture_takes_all_and_records_fees() -> None:
    flow = authorized()
    sent = flow.send(capture())
    assert types(sent) == ["CaptureAuthorization"]
    command = flow.last_command("CaptureAuthorization")
    assert command["amount"] == 10_000
    assert command["operation_id"].startswith("op_")
    assert command["provider_reference"] == "pi_1"
    assert types(flow.send(operation_ok(command["operation_id"], "capture", 10_000))) == [
        "PaymentCaptured"
    ]
    p = flow.payment
    assert (p.status, p.amount_captured, p.amount_capturable) == ("captured", 10_000, 0)
    # PHP through stripe: 3.5 % + 15.00; platform 1.5 %.
    assert p.fees == Fees(provider_fee=1_850, platform_fee=150, net=8_000)


def test_a_partial_capture_releases_the_rest_and_says_so() -> None:
    flow = authorized()
    flow.send(capture(6_000))
    op = flow.last_command("CaptureAuthorization")["operation_id"]
    flow.send(operation_ok(op, "capture", 6_000))
    p = flow.payment
    assert (p.amount_captured, p.amount_capturable) == (6_000, 0)
    assert p.fees is not None
    assert p.fees.provider_fee + p.fees.platform_fee + p.fees.net == 6_000
    reason = flow.last_event().payload["reason"]
    assert reason == "captured 6000 of 10000 authorized; 4000 released"


def test_capturing_more_than_authorized_is_refused_with_an_event() -> None:
    flow = authorized()
    version = flow.payment.version
    assert types(flow.send(capture(10_001))) == ["PaymentOperationFailed"]
    assert failure_of(flow) == ("capture", "amount_exceeds_capturable")
    assert flow.payment.status == "authorized"
    assert flow.payment.version == version + 1


def test_capture_of_an_automatic_payment_is_refused() -> None:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "captured"))
    flow.send(capture())
    assert failure_of(flow) == ("capture", "payment_not_capturable")


def test_a_second_capture_while_one_is_in_flight_is_refused() -> None:
    flow = authorized()
    flow.send(capture(1_000))
    assert types(flow.send(capture(1_000))) == ["PaymentOperationFailed"]
    assert failure_of(flow) == ("capture", "operation_in_progress")
    assert types(flow.send(cancel())) == ["PaymentOperationFailed"]
    assert failure_of(flow) == ("cancel", "operation_in_progress")


def test_a_refused_capture_leaves_the_payment_authorized_and_capturable_again() -> None:
    flow = authorized()
    flow.send(capture())
    op = flow.last_command("CaptureAuthorization")["operation_id"]
    assert types(flow.send(operation_failed(op, "capture"))) == ["PaymentOperationFailed"]
    assert failure_of(flow) == ("capture", "card_declined")
    assert flow.payment.status == "authorized"
    assert types(flow.send(capture())) == ["CaptureAuthorization"]


def test_a_capture_that_timed_out_stays_open_until_the_provider_tells() -> None:
    flow = authorized()
    flow.send(capture())
    op = flow.last_command("CaptureAuthorization")["operation_id"]
    assert flow.send(operation_failed(op, "capture", TIMEOUT)) == []
    assert flow.payment.operation is not None
    assert flow.payment.operation.status == "unknown"
    flow.send(capture())
    assert failure_of(flow) == ("capture", "operation_in_progress")
    assert types(flow.send(operation_ok(op, "capture", 10_000))) == ["PaymentCaptured"]


def test_a_late_answer_for_a_closed_operation_changes_nothing() -> None:
    flow = authorized()
    flow.send(capture())
    op = flow.last_command("CaptureAuthorization")["operation_id"]
    flow.send(operation_ok(op, "capture", 10_000))
    version = flow.payment.version
    assert flow.send(operation_ok(op, "capture", 10_000)) == []
    assert flow.send(operation_failed(op, "capture")) == []
    assert flow.payment.version == version


def test_cancel_voids_the_authorization() -> None:
    flow = authorized()
    assert types(flow.send(cancel())) == ["VoidAuthorization"]
    op = flow.last_command("VoidAuthorization")["operation_id"]
    assert types(flow.send(operation_ok(op, "void", 0))) == ["PaymentCanceled"]
    assert (flow.payment.status, flow.payment.amount_capturable) == ("canceled", 0)


def test_cancel_of_a_captured_payment_is_refused() -> None:
    flow = authorized()
    flow.send(capture())
    flow.send(operation_ok(flow.last_command("CaptureAuthorization")["operation_id"], "capture", 1))
    flow.send(cancel())
    assert failure_of(flow) == ("cancel", "payment_not_cancelable")
    assert flow.payment.status == "captured"


def test_a_refused_void_leaves_the_payment_authorized() -> None:
    flow = authorized()
    flow.send(cancel())
    op = flow.last_command("VoidAuthorization")["operation_id"]
    flow.send(operation_failed(op, "void"))
    assert failure_of(flow) == ("cancel", "card_declined")
    assert flow.payment.status == "authorized"
