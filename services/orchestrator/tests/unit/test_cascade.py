"""Retryable failures move on to the next provider after a backoff; others fail the payment."""

from datetime import timedelta

from orchestrator.handlers.cascade import RETRY
from orchestrator.recovery import RecoveryPolicy
from orchestrator.testing import (
    DECLINE,
    SOFT_DECLINE,
    UNAVAILABLE,
    attempt_failed,
    create,
    health_changed,
)
from payroute_common.clock import utcnow
from payroute_common.messages import ProviderError
from payroute_common.messages.values import RoutingPreferences

from .flow import Flow, types


def refused(error: ProviderError, routing: RoutingPreferences | None = None) -> Flow:
    flow = Flow()
    flow.send(create(routing=routing))
    flow.send(attempt_failed(flow.last_command("AuthorizePayment")["attempt_id"], error))
    return flow


def test_an_unavailable_provider_is_followed_by_the_next_candidate_after_a_short_backoff() -> None:
    flow = refused(UNAVAILABLE)
    assert flow.payment.status == "processing"
    reason = flow.last_event().payload["reason"]
    assert reason.startswith(
        "stripe refused: circuit_open (provider_unavailable); trying the next provider in "
    )
    (timer,) = [t for t in flow.uow.timers.scheduled if t.kind == RETRY]
    assert timedelta(0) < timer.due_at - utcnow() <= timedelta(milliseconds=500)

    sent = flow.fire_scheduled(RETRY)
    assert types(sent) == ["PaymentAttemptUpdated", "AuthorizePayment"]
    assert (
        sent[0]
        .payload["reason"]
        .startswith("stripe unavailable (provider_unavailable: circuit_open); next: paymongo (")
    )
    assert sent[0].payload["reason"].endswith("; fallback: xendit (supports card in PHP)")
    assert sent[1].payload["provider"] == "paymongo"
    assert [a.status for a in flow.payment.attempts] == ["failed", "pending"]
    assert flow.uow.providers.results == [("stripe", False)]


def test_a_soft_decline_is_retried_elsewhere() -> None:
    flow = refused(SOFT_DECLINE)
    flow.fire_scheduled(RETRY)
    assert flow.last_command("AuthorizePayment")["provider"] == "paymongo"


def test_a_hard_decline_fails_at_once() -> None:
    flow = refused(DECLINE)
    assert flow.payment.status == "failed"
    assert RETRY not in [t.kind for t in flow.uow.timers.scheduled]
    assert flow.last_event().event_type == "PaymentFailed"
    assert "hard_decline is not retried elsewhere" in flow.last_event().payload["reason"]


def test_without_fallback_a_retryable_failure_fails_the_payment() -> None:
    flow = refused(UNAVAILABLE, RoutingPreferences(fallback=False))
    assert flow.payment.status == "failed"
    assert "fallback off" in flow.last_event().payload["reason"]


def test_max_attempts_bounds_the_cascade_and_the_last_error_wins() -> None:
    flow = refused(UNAVAILABLE, RoutingPreferences(max_attempts=2))
    flow.fire_scheduled(RETRY)
    second = flow.last_command("AuthorizePayment")["attempt_id"]
    flow.send(attempt_failed(second, SOFT_DECLINE))
    assert flow.payment.status == "failed"
    assert flow.payment.failure is not None
    assert flow.payment.failure.code == "processing_error"
    assert "2 of 2 attempts used" in flow.last_event().payload["reason"]


def test_a_provider_no_other_can_replace_fails_the_payment() -> None:
    flow = Flow()
    flow.send(create().model_copy(update={"currency": "USD"}))
    flow.send(attempt_failed(flow.last_command("AuthorizePayment")["attempt_id"], UNAVAILABLE))
    assert flow.payment.status == "failed"
    assert "no other provider can take it" in flow.last_event().payload["reason"]


def test_routing_at_retry_time_reads_the_providers_health_then() -> None:
    flow = refused(UNAVAILABLE)
    flow.send(health_changed("paymongo", "unhealthy"))
    flow.fire_scheduled(RETRY)
    assert flow.last_command("AuthorizePayment")["provider"] == "xendit"


def test_a_retry_timer_fired_twice_starts_one_attempt() -> None:
    flow = refused(UNAVAILABLE)
    (timer,) = [t for t in flow.uow.timers.scheduled if t.kind == RETRY]
    flow.fire_scheduled(RETRY)
    flow.uow.timers.scheduled.append(timer)
    assert flow.fire_scheduled(RETRY) == []
    assert len(flow.payment.attempts) == 2


def test_a_late_failure_of_a_failed_attempt_changes_nothing() -> None:
    flow = refused(UNAVAILABLE)
    first = flow.payment.attempts[0].attempt_id
    version = flow.payment.version
    assert flow.send(attempt_failed(first, DECLINE)) == []
    assert (flow.payment.status, flow.payment.version) == ("processing", version)


def test_retry_delays_are_fully_jittered_exponential_and_capped() -> None:
    policy = RecoveryPolicy(retry_base_s=0.5, retry_cap_s=4.0)
    for retry in range(8):
        ceiling = min(4.0, 0.5 * 2**retry)
        delays = {policy.retry_delay(f"pay_{n}", retry).total_seconds() for n in range(50)}
        assert all(0 < d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8
        assert min(delays) < ceiling * 0.2
    assert policy.retry_delay("pay_1", 3) == policy.retry_delay("pay_1", 3)
