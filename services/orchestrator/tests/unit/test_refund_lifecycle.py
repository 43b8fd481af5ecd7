"""Refunds go pending → succeeded | failed: a provider that settles refunds later keeps
the amount held until its webhook; a failed refund gives the amount back."""

from orchestrator.handlers.resend import OPERATION_CHECK
from orchestrator.testing import (
    DECLINE,
    attempt_ok,
    create,
    operation_failed,
    operation_ok,
    refund,
    refund_webhook,
)
from payroute_common.messages import RefundFailed

from .flow import Flow, types


def pending_at_provider(amount: int = 10_000) -> Flow:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "captured"))
    flow.send(refund("re_1", amount))
    answer = operation_ok("re_1", "refund", amount).model_copy(
        update={"outcome": "pending", "provider_reference": "re_stripe"}
    )
    sent = flow.send(answer)
    assert types(sent) == ["PaymentAttemptUpdated"]
    assert sent[0].payload["reason"] == (
        f"refund re_1 of {amount}: stripe accepted it and settles it later; the {amount} "
        "stays held until it says"
    )
    return flow


def test_a_pending_answer_keeps_the_refund_pending_and_its_amount_held() -> None:
    flow = pending_at_provider(4_000)
    kept = flow.uow.refunds.rows["re_1"]
    assert (kept.status, kept.answer, kept.provider_reference) == (
        "pending",
        "accepted",
        "re_stripe",
    )
    assert (flow.payment.status, flow.payment.amount_refund_pending) == ("captured", 4_000)
    # Accepted: the provider's webhook settles it; it is not sent again.
    assert flow.fire_scheduled(OPERATION_CHECK) == []
    # The same pending answer again adds nothing.
    again = operation_ok("re_1", "refund", 4_000).model_copy(update={"outcome": "pending"})
    assert flow.send(again) == []


def test_a_failure_by_webhook_after_a_pending_answer_releases_the_amount_and_says_why() -> None:
    flow = pending_at_provider()
    news = refund_webhook("failed", provider_reference="re_stripe").model_copy(
        update={"reason": "charge_for_pending_refund_disputed"}
    )
    sent = flow.send(news)
    assert types(sent) == ["RefundFailed"]
    failed = RefundFailed.model_validate(sent[0].payload)
    assert failed.refund.status == "failed"
    assert failed.reason == (
        "refund re_1 of 10000 failed (refund_failed: stripe reports the refund failed: "
        "charge_for_pending_refund_disputed); the 10000 is refundable again (stripe news)"
    )
    assert (failed.payment.status, failed.payment.amount_refunded) == ("captured", 0)
    assert flow.payment.amount_refund_pending == 0

    flow.send(refund("re_2", 10_000))
    assert types(flow.send(operation_ok("re_2", "refund", 10_000))) == ["RefundSucceeded"]
    assert (flow.payment.status, flow.payment.amount_refunded) == ("refunded", 10_000)


def test_a_success_by_webhook_after_a_pending_answer_refunds() -> None:
    flow = pending_at_provider()
    news = refund_webhook("refunded", provider_reference="re_stripe", refund_id="re_1")
    assert types(flow.send(news)) == ["RefundSucceeded"]
    assert (flow.payment.status, flow.payment.amount_refunded) == ("refunded", 10_000)


def test_a_refused_refund_releases_its_amount_at_once() -> None:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "captured"))
    flow.send(refund("re_1", 6_000))
    sent = flow.send(operation_failed("re_1", "refund", DECLINE))
    assert types(sent) == ["RefundFailed"]
    assert sent[0].payload["reason"].endswith("the 6000 is refundable again")
    assert flow.payment.amount_refund_pending == 0
    assert flow.fire_scheduled(OPERATION_CHECK) == []
