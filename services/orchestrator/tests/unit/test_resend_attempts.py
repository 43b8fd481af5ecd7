"""Unknown attempts at providers with idempotency keys are resolved by sending the same
request again; only a definite answer settles them. Attempts never answered become
unknown after the deadline."""

from dataclasses import replace
from datetime import timedelta

import pytest

from orchestrator.handlers.authorize import ANSWER_DEADLINE
from orchestrator.handlers.cascade import RETRY
from orchestrator.handlers.unknown_attempts import STATUS_QUERY
from orchestrator.recovery import RESENDABLE, RecoveryPolicy
from orchestrator.testing import (
    DECLINE,
    SOFT_DECLINE,
    TIMEOUT,
    UNAVAILABLE,
    attempt_failed,
    attempt_ok,
    create,
    health_changed,
    status_report,
)
from payroute_common.clock import utcnow
from payroute_common.messages import ProviderError

from .flow import Flow, types

AUTHENTICATION = ProviderError(category="authentication", code="401", message="bad key")


def unknown() -> tuple[Flow, str]:
    flow = Flow()
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    sent = flow.send(attempt_failed(attempt_id, TIMEOUT))
    assert sent[0].payload["reason"] == (
        "stripe did not answer in time; waiting for its news; sending the same request again in 2 s"
    )
    return flow, attempt_id


def test_the_providers_with_idempotency_keys_are_resent_to() -> None:
    assert frozenset({"stripe", "paymongo", "xendit"}) == RESENDABLE


def test_an_unknown_attempt_is_sent_again_as_the_very_same_request() -> None:
    flow, attempt_id = unknown()
    first = flow.last_command("AuthorizePayment")
    sent = flow.fire_scheduled(STATUS_QUERY)
    assert types(sent) == ["PaymentAttemptUpdated", "AuthorizePayment"]
    assert sent[1].payload == first
    assert sent[1].payload["attempt_id"] == attempt_id
    reason = sent[0].payload["reason"]
    assert reason.startswith(f"sent attempt {attempt_id} to stripe again under the same")
    assert reason.endswith("asking again in 5 s")
    assert [t.kind for t in flow.uow.timers.scheduled].count(STATUS_QUERY) == 1


@pytest.mark.parametrize("error", [TIMEOUT, UNAVAILABLE, AUTHENTICATION])
def test_answers_that_are_not_definite_leave_it_unknown(error: ProviderError) -> None:
    flow, attempt_id = unknown()
    flow.fire_scheduled(STATUS_QUERY)
    version = flow.payment.version
    assert flow.send(attempt_failed(attempt_id, error)) == []
    assert flow.payment.attempts[0].status == "unknown"
    assert (flow.payment.status, flow.payment.version) == ("processing", version)
    assert RETRY not in [t.kind for t in flow.uow.timers.scheduled]
    # Asked on: the status this time (a key may replay an undetermined answer), then
    # the same request again.
    assert types(flow.fire_scheduled(STATUS_QUERY))[-1] == "QueryProviderStatus"
    assert types(flow.fire_scheduled(STATUS_QUERY))[-1] == "AuthorizePayment"


def test_a_success_to_the_resent_request_settles_it() -> None:
    flow, attempt_id = unknown()
    flow.fire_scheduled(STATUS_QUERY)
    assert types(flow.send(attempt_ok(attempt_id, "captured"))) == ["PaymentCaptured"]
    assert flow.payment.attempts[0].status == "succeeded"
    assert flow.fire_scheduled(STATUS_QUERY) == []


def test_a_soft_refusal_to_the_resent_request_moves_on() -> None:
    flow, attempt_id = unknown()
    flow.fire_scheduled(STATUS_QUERY)
    flow.send(attempt_failed(attempt_id, SOFT_DECLINE))
    assert flow.payment.attempts[0].status == "failed"
    assert types(flow.fire_scheduled(RETRY)) == ["PaymentAttemptUpdated", "AuthorizePayment"]
    assert flow.last_command("AuthorizePayment")["provider"] == "paymongo"


def test_a_hard_refusal_to_the_resent_request_fails_the_payment() -> None:
    flow, attempt_id = unknown()
    assert types(flow.send(attempt_failed(attempt_id, DECLINE))) == ["PaymentFailed"]


def test_not_found_never_gives_up_on_a_provider_that_takes_the_request_again() -> None:
    flow, attempt_id = unknown()
    attempt = flow.payment.attempts[0]
    assert attempt.started_at is not None
    flow.payment.attempts[0] = replace(attempt, started_at=attempt.started_at - timedelta(hours=1))
    sent = flow.send(status_report(attempt_id, "not_found"))
    assert types(sent) == ["PaymentAttemptUpdated"]
    assert flow.payment.attempts[0].status == "unknown"


def test_a_provider_without_idempotency_keys_gets_status_queries() -> None:
    flow = Flow()
    flow.send(create("maya", provider="maya"))
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    assert flow.last_command("AuthorizePayment")["provider"] == "maya"
    reason = flow.send(attempt_failed(attempt_id, TIMEOUT))[0].payload["reason"]
    assert reason.endswith("asking for its status in 2 s")
    sent = flow.fire_scheduled(STATUS_QUERY)
    assert types(sent) == ["PaymentAttemptUpdated", "QueryProviderStatus"]


def test_an_attempt_never_answered_becomes_unknown_at_its_deadline() -> None:
    flow = Flow(RecoveryPolicy(answer_deadline_s=30))
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    (deadline,) = flow.uow.timers.scheduled
    assert (deadline.kind, deadline.payload) == (ANSWER_DEADLINE, {"attempt_id": attempt_id})
    assert timedelta(seconds=29) < deadline.due_at - utcnow() <= timedelta(seconds=30)
    sent = flow.fire_scheduled(ANSWER_DEADLINE)
    assert types(sent) == ["PaymentAttemptUpdated"]
    assert sent[0].payload["reason"] == (
        "stripe sent no answer within 30 s; its outcome is unknown; "
        "sending the same request again in 2 s"
    )
    assert flow.payment.attempts[0].status == "unknown"
    assert flow.payment.attempts[0].error is not None
    assert flow.payment.attempts[0].error.code == "no_answer"
    assert types(flow.fire_scheduled(STATUS_QUERY))[-1] == "AuthorizePayment"


def test_the_deadline_of_an_answered_attempt_does_nothing() -> None:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "captured"))
    assert flow.fire_scheduled(ANSWER_DEADLINE) == []


def test_the_deadline_of_an_attempt_already_unknown_starts_no_second_chain() -> None:
    flow, _ = unknown()
    assert flow.fire_scheduled(ANSWER_DEADLINE) == []
    assert [t.kind for t in flow.uow.timers.scheduled] == [STATUS_QUERY]


def test_refused_credentials_move_on_to_the_next_provider() -> None:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_failed(flow.last_command("AuthorizePayment")["attempt_id"], AUTHENTICATION))
    assert flow.payment.attempts[0].status == "failed"
    assert flow.payment.status == "processing"
    sent = flow.fire_scheduled(RETRY)
    assert "stripe refused our credentials (authentication: 401)" in sent[0].payload["reason"]
    assert flow.last_command("AuthorizePayment")["provider"] == "paymongo"


def test_a_provider_reported_misconfigured_is_not_routed_to() -> None:
    flow = Flow()
    flow.send(health_changed("stripe", "misconfigured"))
    flow.send(create(provider="stripe"))
    assert flow.last_command("AuthorizePayment")["provider"] == "paymongo"
