"""Attempts whose outcome is unknown at a provider without idempotency keys: status
queries until the provider tells, never a second charge meanwhile. (Here `stripe`
stands for such a provider: the policy re-sends to none.)"""

from dataclasses import replace
from datetime import timedelta

import pytest

from orchestrator.domain import AttemptStillOpen
from orchestrator.handlers.authorize import ANSWER_DEADLINE
from orchestrator.handlers.cascade import RETRY
from orchestrator.handlers.unknown_attempts import STATUS_QUERY
from orchestrator.recovery import RecoveryPolicy
from orchestrator.testing import (
    SOFT_DECLINE,
    TIMEOUT,
    attempt_failed,
    create,
    status_report,
    webhook,
)
from payroute_common.clock import utcnow

from .flow import Flow, types

QUERIES = RecoveryPolicy(resendable=frozenset())


def kinds(flow: Flow) -> list[str]:
    """Timers scheduled, without the answer deadline every new attempt gets."""
    return [t.kind for t in flow.uow.timers.scheduled if t.kind != ANSWER_DEADLINE]


def timed_out() -> tuple[Flow, str]:
    flow = Flow(QUERIES)
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    sent = flow.send(attempt_failed(attempt_id, TIMEOUT))
    assert types(sent) == ["PaymentAttemptUpdated"]
    return flow, attempt_id


def query_sent(flow: Flow) -> dict[str, object]:
    sent = flow.fire_scheduled(STATUS_QUERY)
    assert types(sent) == ["PaymentAttemptUpdated", "QueryProviderStatus"]
    return sent[1].payload


def test_a_timeout_leaves_the_attempt_unknown_and_schedules_a_status_query_soon() -> None:
    flow, attempt_id = timed_out()
    assert flow.payment.status == "processing"
    assert flow.payment.attempts[0].status == "unknown"
    (timer,) = [t for t in flow.uow.timers.scheduled if t.kind != ANSWER_DEADLINE]
    assert (timer.kind, timer.payload) == (STATUS_QUERY, {"attempt_id": attempt_id})
    assert timedelta(seconds=1) < timer.due_at - utcnow() <= timedelta(seconds=2)
    reason = flow.last_event().payload["reason"]
    assert reason == (
        "stripe did not answer in time; waiting for its news; asking for its status in 2 s"
    )


def test_each_query_asks_the_provider_and_sets_the_next_one_further_out() -> None:
    flow, attempt_id = timed_out()
    query = query_sent(flow)
    assert query == {
        "payment_id": "pay_1",
        "attempt_id": attempt_id,
        "provider": "stripe",
        "provider_reference": None,
    }
    (timer,) = [t for t in flow.uow.timers.scheduled if t.kind == STATUS_QUERY]
    assert timedelta(seconds=4) < timer.due_at - utcnow() <= timedelta(seconds=5)
    assert "query 1" in flow.uow.events()[-1].payload["reason"]
    query_sent(flow)
    assert flow.payment.attempts[0].queries == 2


def test_query_delays_back_off_to_a_cap() -> None:
    policy = RecoveryPolicy()
    delays = [policy.query_delay(n).total_seconds() for n in range(9)]
    assert delays == [2, 5, 15, 30, 60, 120, 300, 300, 300]


def test_a_captured_answer_captures_the_payment_with_the_reported_amount() -> None:
    flow, attempt_id = timed_out()
    query_sent(flow)
    sent = flow.send(status_report(attempt_id, "captured", amount=9_000))
    assert types(sent) == ["PaymentCaptured"]
    assert flow.payment.amount_captured == 9_000
    assert flow.payment.attempts[0].status == "succeeded"
    assert flow.payment.provider_reference == f"ref_{attempt_id}"
    assert sent[0].payload["reason"].startswith("stripe reports captured: captured 9000")
    assert flow.uow.providers.results == [("stripe", True)]
    # The next query finds nothing left to ask.
    assert flow.fire_scheduled(STATUS_QUERY) == []


@pytest.mark.parametrize(
    ("outcome", "event", "status"),
    [
        ("authorized", "PaymentAuthorized", "authorized"),
        ("requires_action", "PaymentActionRequired", "requires_action"),
    ],
)
def test_other_found_outcomes_move_the_payment_on(outcome: str, event: str, status: str) -> None:
    flow, attempt_id = timed_out()
    assert types(flow.send(status_report(attempt_id, outcome))) == [event]  # type: ignore[arg-type]
    assert flow.payment.status == status


def test_a_hard_failure_fails_the_payment_without_another_attempt() -> None:
    flow, attempt_id = timed_out()
    sent = flow.send(status_report(attempt_id, "failed"))
    assert types(sent) == ["PaymentFailed"]
    assert flow.payment.failure is not None
    assert flow.payment.failure.code == "card_declined"
    assert "hard_decline is not retried elsewhere" in sent[0].payload["reason"]


def test_a_soft_failure_moves_on_to_the_next_provider() -> None:
    flow, attempt_id = timed_out()
    sent = flow.send(status_report(attempt_id, "failed", error=SOFT_DECLINE))
    assert types(sent) == ["PaymentAttemptUpdated"]
    assert kinds(flow) == [STATUS_QUERY, RETRY]
    assert types(flow.fire_scheduled(RETRY)) == ["PaymentAttemptUpdated", "AuthorizePayment"]
    assert flow.last_command("AuthorizePayment")["provider"] == "paymongo"


def test_a_canceled_payment_took_nothing_and_moves_on() -> None:
    flow, attempt_id = timed_out()
    flow.send(status_report(attempt_id, "canceled"))
    assert flow.payment.attempts[0].error is not None
    assert flow.payment.attempts[0].error.code == "canceled_at_provider"
    assert kinds(flow)[-1] == RETRY


@pytest.mark.parametrize("outcome", ["pending", "unknown"])
def test_pending_or_unknown_answers_ask_again_later(outcome: str) -> None:
    flow, attempt_id = timed_out()
    query_sent(flow)
    sent = flow.send(status_report(attempt_id, outcome))  # type: ignore[arg-type]
    assert types(sent) == ["PaymentAttemptUpdated"]
    assert "asking again" in sent[0].payload["reason"]
    assert flow.payment.attempts[0].status == "unknown"
    assert kinds(flow) == [STATUS_QUERY]
    query_sent(flow)


def test_not_found_is_not_believed_within_the_grace_period() -> None:
    flow, attempt_id = timed_out()
    sent = flow.send(status_report(attempt_id, "not_found"))
    assert types(sent) == ["PaymentAttemptUpdated"]
    assert "search may lag" in sent[0].payload["reason"]
    assert flow.payment.attempts[0].status == "unknown"
    assert "AuthorizePayment" not in types(flow.fire_scheduled(RETRY))


def test_not_found_after_the_grace_period_fails_the_attempt_as_a_retryable_timeout() -> None:
    flow, attempt_id = timed_out()
    attempt = flow.payment.attempts[0]
    assert attempt.started_at is not None
    long_ago = attempt.started_at - timedelta(seconds=91)
    flow.payment.attempts[0] = replace(attempt, started_at=long_ago)
    sent = flow.send(status_report(attempt_id, "not_found"))
    assert types(sent) == ["PaymentAttemptUpdated"]
    failed = flow.payment.attempts[0]
    assert failed.status == "failed"
    assert failed.error is not None
    assert (failed.error.category, failed.error.code) == ("timeout", "not_found_at_provider")
    assert types(flow.fire_scheduled(RETRY)) == ["PaymentAttemptUpdated", "AuthorizePayment"]
    assert flow.payment.status == "processing"
    assert [a.provider for a in flow.payment.attempts] == ["stripe", "paymongo"]


def test_an_answer_after_a_webhook_settled_the_attempt_is_ignored() -> None:
    flow, attempt_id = timed_out()
    assert types(flow.send(webhook("succeeded"))) == ["PaymentCaptured"]
    version = flow.payment.version
    assert flow.send(status_report(attempt_id, "failed")) == []
    assert flow.send(status_report(attempt_id, "not_found")) == []
    assert flow.fire_scheduled(STATUS_QUERY) == []
    assert (flow.payment.status, flow.payment.version) == ("captured", version)


def test_no_attempt_starts_while_one_is_unknown() -> None:
    flow, _ = timed_out()
    with pytest.raises(AttemptStillOpen):
        flow.payment.start_attempt("att_2", "paymongo", utcnow())
    # A second timeout of the same attempt changes nothing and asks nothing more.
    assert flow.send(attempt_failed(flow.payment.attempts[0].attempt_id, TIMEOUT)) == []
    assert kinds(flow) == [STATUS_QUERY]
