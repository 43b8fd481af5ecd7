"""Cash, cheques and bank transfers wait for an operator, or expire."""

from datetime import timedelta

from orchestrator.testing import create, verify
from payroute_common.messages import Fees, PaymentOperationFailed

from .flow import Flow, types


def test_a_cash_payment_waits_for_verification_without_a_provider_call() -> None:
    flow = Flow()
    sent = flow.send(create("cash", verification_ttl_seconds=3600))
    assert types(sent) == ["PaymentCreated", "PaymentAwaitingVerification"]
    p = flow.payment
    assert (p.status, p.provider) == ("pending_verification", "manual")
    assert p.verification_expires_at == p.created_at + timedelta(hours=1)
    assert sent[1].payload["payment"]["verification_expires_at"] is not None
    [timer] = flow.uow.timers.scheduled
    assert (timer.aggregate_id, timer.due_at) == ("pay_1", p.verification_expires_at)


def test_the_verification_window_defaults_to_72_hours() -> None:
    flow = Flow()
    flow.send(create("cheque"))
    p = flow.payment
    assert p.verification_expires_at == p.created_at + timedelta(hours=72)


def test_an_approved_payment_is_captured_with_fees() -> None:
    flow = Flow()
    flow.send(create("bank_transfer"))
    assert types(flow.send(verify("approve"))) == ["PaymentCaptured"]
    p = flow.payment
    assert (p.status, p.amount_captured) == ("captured", 10_000)
    assert p.fees == Fees(provider_fee=0, platform_fee=150, net=9_850)
    assert p.verification_expires_at is None


def test_a_rejected_payment_fails() -> None:
    flow = Flow()
    flow.send(create("cash"))
    assert types(flow.send(verify("reject"))) == ["PaymentFailed"]
    assert flow.payment.failure is not None
    assert flow.payment.failure.code == "verification_rejected"


def test_verifying_twice_is_refused() -> None:
    flow = Flow()
    flow.send(create("cash"))
    flow.send(verify("approve"))
    assert types(flow.send(verify("reject"))) == ["PaymentOperationFailed"]
    event = PaymentOperationFailed.model_validate(flow.last_event().payload)
    assert (event.operation, event.failure.code) == ("verify", "payment_not_awaiting_verification")
    assert flow.payment.status == "captured"


def test_an_unverified_payment_fails_when_its_timer_fires() -> None:
    flow = Flow()
    flow.send(create("cash", verification_ttl_seconds=1))
    flow.payment.verification_expires_at = flow.payment.created_at - timedelta(seconds=1)
    assert types(flow.fire_timers()) == ["PaymentFailed"]
    assert flow.payment.failure is not None
    assert flow.payment.failure.code == "verification_expired"


def test_a_timer_firing_early_or_after_verification_changes_nothing() -> None:
    flow = Flow()
    flow.send(create("cash"))
    assert flow.fire_timers() == []  # not due yet by the payment's own clock
    flow.send(verify("approve"))
    assert flow.fire_timers() == []
    assert flow.payment.status == "captured"
