"""A success the payment no longer needs is given back at its provider, visibly, once."""

from dataclasses import replace
from datetime import timedelta
from typing import Literal

from orchestrator.handlers.cascade import RETRY
from orchestrator.handlers.resend import OPERATION_CHECK
from orchestrator.handlers.successes import ACTION_EXPIRY
from orchestrator.recovery import RecoveryPolicy
from orchestrator.testing import (
    DECLINE,
    TIMEOUT,
    attempt_failed,
    attempt_ok,
    create,
    operation_failed,
    operation_ok,
    refund_webhook,
    status_report,
    webhook,
)
from payroute_common.clock import utcnow
from payroute_common.messages import (
    LateSuccessFound,
    LateSuccessReversalFailed,
    LateSuccessReversed,
    ProviderWebhookReceived,
)
from payroute_common.messages.values import CaptureMethod

from .flow import Flow, types

QUERIES = RecoveryPolicy(resendable=frozenset())


def given_up_then_captured_elsewhere(capture_method: CaptureMethod = "automatic") -> Flow:
    """Stripe's attempt times out and is not found within the grace period (its search
    lagged); the next provider takes the payment."""
    flow = Flow(QUERIES)
    flow.send(create(capture_method=capture_method))
    first = flow.last_command("AuthorizePayment")["attempt_id"]
    flow.send(attempt_failed(first, TIMEOUT))
    attempt = flow.payment.attempts[0]
    assert attempt.started_at is not None
    flow.payment.attempts[0] = replace(attempt, started_at=attempt.started_at - timedelta(hours=1))
    flow.send(status_report(first, "not_found"))
    flow.fire_scheduled(RETRY)
    second = flow.last_command("AuthorizePayment")
    assert second["provider"] == "paymongo"
    outcome: Literal["captured", "authorized"] = (
        "captured" if capture_method == "automatic" else "authorized"
    )
    answer = attempt_ok(second["attempt_id"], outcome).model_copy(
        update={"provider": "paymongo", "provider_reference": "pm_1"}
    )
    flow.send(answer)
    assert flow.payment.status == ("captured" if outcome == "captured" else "authorized")
    return flow


def stripe_news(outcome: str = "succeeded") -> ProviderWebhookReceived:
    return webhook(outcome).model_copy(update={"provider_reference": "pi_late"})  # type: ignore[arg-type]


def test_a_success_after_the_attempt_was_given_up_is_refunded_at_its_provider() -> None:
    flow = given_up_then_captured_elsewhere()
    first = flow.payment.attempts[0].attempt_id
    before = flow.payment.snapshot()
    sent = flow.send(stripe_news())
    assert types(sent) == ["LateSuccessFound", "RefundCharge"]
    found = LateSuccessFound.model_validate(sent[0].payload)
    late = found.late_success
    assert (late.attempt_id, late.provider, late.provider_reference) == (first, "stripe", "pi_late")
    assert (late.kind, late.amount, late.currency) == ("refund", 10_000, "PHP")
    assert found.reason == (
        f"late_success_reversed: stripe captured 10000 PHP for attempt {first} after the "
        f"payment was already captured through paymongo; refunding it at stripe "
        f"({late.operation_id}); the payment stays captured (provider news)"
    )
    after = found.payment
    assert (after.status, after.amount_captured, after.provider) == ("captured", 10_000, "paymongo")
    assert after.amount_refunded == before.amount_refunded == 0
    refund = sent[1].payload
    assert (refund["provider"], refund["provider_reference"]) == ("stripe", "pi_late")
    assert (refund["operation_id"], refund["amount"]) == (late.operation_id, 10_000)
    assert refund["metadata"] == {"payment_id": "pay_1", "refund_id": late.operation_id}
    assert OPERATION_CHECK in [t.kind for t in flow.uow.timers.scheduled]


def test_the_reversal_is_announced_once_the_provider_confirms_it() -> None:
    flow = given_up_then_captured_elsewhere()
    flow.send(stripe_news())
    op_id = flow.payment.reversals[0].operation_id
    sent = flow.send(operation_ok(op_id, "refund", 10_000))
    assert types(sent) == ["LateSuccessReversed"]
    reversed_ = LateSuccessReversed.model_validate(sent[0].payload)
    assert reversed_.reason is not None
    assert reversed_.reason.startswith("late_success_reversed: stripe confirmed the refund")
    assert reversed_.reason.endswith("the customer has the money back")
    assert reversed_.payment.amount_refunded == 0
    assert flow.payment.reversals[0].status == "reversed"
    assert flow.send(operation_ok(op_id, "refund", 10_000)) == []
    assert flow.fire_scheduled(OPERATION_CHECK) == []


def test_the_same_late_success_told_again_is_not_reversed_twice() -> None:
    flow = given_up_then_captured_elsewhere()
    flow.send(stripe_news())
    first = flow.payment.attempts[0].attempt_id
    assert flow.send(stripe_news()) == []
    assert flow.send(attempt_ok(first, "captured")) == []
    assert flow.send(status_report(first, "captured")) == []
    assert len(flow.payment.reversals) == 1


def test_a_late_synchronous_answer_is_given_back_too() -> None:
    flow = given_up_then_captured_elsewhere()
    first = flow.payment.attempts[0].attempt_id
    sent = flow.send(attempt_ok(first, "captured"))
    assert types(sent) == ["LateSuccessFound", "RefundCharge"]
    assert sent[1].payload["provider_reference"] == "pi_1"


def test_the_success_that_settled_the_payment_told_again_is_not_late() -> None:
    flow = Flow()
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    flow.send(attempt_ok(attempt_id, "captured"))
    assert flow.send(attempt_ok(attempt_id, "captured")) == []
    assert flow.send(webhook("succeeded")) == []
    assert flow.send(status_report(attempt_id, "captured")) == []
    assert flow.payment.reversals == []


def test_a_late_authorization_is_voided_and_a_refused_void_is_announced() -> None:
    flow = given_up_then_captured_elsewhere("manual")
    sent = flow.send(stripe_news("authorized"))
    assert types(sent) == ["LateSuccessFound", "VoidAuthorization"]
    op_id = sent[1].payload["operation_id"]
    assert sent[1].payload["provider_reference"] == "pi_late"
    refused = flow.send(operation_failed(op_id, "void", DECLINE))
    assert types(refused) == ["LateSuccessReversalFailed"]
    failed = LateSuccessReversalFailed.model_validate(refused[0].payload)
    assert failed.reason == (
        f"late_success_reversed: stripe refused to void 10000 PHP for attempt "
        f"{failed.late_success.attempt_id} ({op_id}): card_declined (hard_decline); an "
        "operator must give the customer's money back"
    )
    assert failed.payment.status == "authorized"
    assert flow.fire_scheduled(OPERATION_CHECK) == []


def test_an_undetermined_answer_to_a_reversal_sends_it_again() -> None:
    flow = given_up_then_captured_elsewhere()
    flow.send(stripe_news())
    op_id = flow.payment.reversals[0].operation_id
    assert flow.send(operation_failed(op_id, "refund", TIMEOUT)) == []
    sent = flow.fire_scheduled(OPERATION_CHECK)
    assert types(sent) == ["PaymentAttemptUpdated", "RefundCharge"]
    assert sent[1].payload["operation_id"] == op_id
    assert sent[0].payload["reason"].startswith(f"the refund {op_id}: its answer told nothing")
    assert types(flow.send(operation_ok(op_id, "refund", 10_000))) == ["LateSuccessReversed"]


def test_refund_news_naming_the_reversal_settles_it() -> None:
    flow = given_up_then_captured_elsewhere()
    flow.send(stripe_news())
    op_id = flow.payment.reversals[0].operation_id
    flow.send(operation_ok(op_id, "refund", 10_000).model_copy(update={"outcome": "pending"}))
    assert flow.payment.reversals[0].status == "accepted"
    news = refund_webhook("refunded", provider_reference="re_late", refund_id=op_id)
    assert types(flow.send(news)) == ["LateSuccessReversed"]


def test_an_expired_action_fails_the_payment_and_a_later_success_is_given_back() -> None:
    flow = Flow()
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    sent = flow.send(attempt_ok(attempt_id, "requires_action", redirect_url="https://3ds"))
    assert "it expires at" in sent[0].payload["reason"]
    (expiry,) = [t for t in flow.uow.timers.scheduled if t.kind == ACTION_EXPIRY]
    assert timedelta(minutes=59) < expiry.due_at - utcnow() <= timedelta(hours=1)
    sent = flow.fire_scheduled(ACTION_EXPIRY)
    assert types(sent) == ["PaymentFailed", "QueryProviderStatus"]
    assert flow.payment.failure is not None
    assert flow.payment.failure.code == "action_expired"
    assert (
        sent[0]
        .payload["reason"]
        .startswith(
            "the customer did not complete the payment within 60 min; failed with action_expired"
        )
    )
    late = flow.send(status_report(attempt_id, "captured"))
    assert types(late) == ["LateSuccessFound", "RefundCharge"]
    assert "after attempt" in late[0].payload["reason"]
    assert "(action_expired)" in late[0].payload["reason"]
    assert flow.payment.status == "failed"


def test_an_action_finished_in_time_does_not_expire() -> None:
    flow = Flow()
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    flow.send(attempt_ok(attempt_id, "requires_action"))
    flow.send(webhook("succeeded"))
    assert flow.fire_scheduled(ACTION_EXPIRY) == []
    assert flow.payment.status == "captured"
