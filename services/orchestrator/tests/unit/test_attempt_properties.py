"""Random provider news about a payment's attempts, consistent with what each provider
really did: no two attempts ever take money.

Each attempt's truth (took the money, or refused with some error) is drawn when news
of it is first needed; every later answer about it (the synchronous one, a timeout
instead, status reports, duplicates, in any order) agrees with that truth. Whatever
the sequence, a new attempt starts only once every earlier one is known to have
taken nothing, so at most one attempt is open and at most one took money.
"""

from dataclasses import replace
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from orchestrator.domain import OPEN_ATTEMPTS
from orchestrator.testing import (
    DECLINE,
    PAY,
    SOFT_DECLINE,
    TIMEOUT,
    UNAVAILABLE,
    create,
    status_report,
)
from payroute_common.messages import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderError,
)
from payroute_common.messages.values import RoutingPreferences

from .flow import Flow

Truth = ProviderError | None  # None: the provider took the money
truths = st.sampled_from([None, DECLINE, SOFT_DECLINE, UNAVAILABLE])


class AttemptNews(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.flow = Flow()
        self.truth: dict[str, Truth] = {}

    @initialize(max_attempts=st.integers(min_value=1, max_value=4), fallback=st.booleans())
    def create(self, max_attempts: int, fallback: bool) -> None:
        routing = RoutingPreferences(max_attempts=max_attempts, fallback=fallback)
        self.flow.send(create(routing=routing))

    def _attempt(self, data: st.DataObject) -> tuple[str, str, Truth]:
        attempt = data.draw(st.sampled_from(self.flow.payment.attempts))
        if attempt.attempt_id not in self.truth:
            self.truth[attempt.attempt_id] = data.draw(truths)
        return attempt.attempt_id, attempt.provider, self.truth[attempt.attempt_id]

    @rule(data=st.data(), timed_out=st.booleans())
    def provider_answers(self, data: st.DataObject, timed_out: bool) -> None:
        attempt_id, provider, truth = self._attempt(data)
        if truth is None and not timed_out:
            self.flow.send(
                ProviderAttemptSucceeded(
                    payment_id=PAY,
                    attempt_id=attempt_id,
                    provider=provider,
                    provider_reference=f"ref_{attempt_id}",
                    outcome="captured",
                    amount=10_000,
                    currency="PHP",
                    latency_ms=5,
                )
            )
        else:
            error = TIMEOUT if timed_out or truth is None else truth
            self.flow.send(
                ProviderAttemptFailed(
                    payment_id=PAY,
                    attempt_id=attempt_id,
                    provider=provider,
                    error=error,
                    latency_ms=5,
                )
            )

    @rule(data=st.data(), vague=st.sampled_from([None, "pending", "unknown", "not_found"]))
    def provider_reports_status(self, data: st.DataObject, vague: str | None) -> None:
        attempt_id, provider, truth = self._attempt(data)
        if vague == "not_found" and truth is None:
            vague = "pending"  # a provider that took the money has the payment
        if vague is not None:
            report = status_report(attempt_id, vague, provider=provider)  # type: ignore[arg-type]
        elif truth is None:
            report = status_report(attempt_id, "captured", provider=provider)
        else:
            report = status_report(attempt_id, "failed", provider=provider, error=truth)
        self.flow.send(report)

    @rule()
    def time_passes(self) -> None:
        """Timers fire, and every attempt gets older than the not-found grace period."""
        payment = self.flow.payment
        payment.attempts = [
            replace(a, started_at=a.started_at - timedelta(minutes=2)) if a.started_at else a
            for a in payment.attempts
        ]
        self.flow.fire_scheduled()

    @invariant()
    def never_two_attempts_that_may_take_money(self) -> None:
        attempts = self.flow.payment.attempts
        assert sum(a.status in OPEN_ATTEMPTS for a in attempts) <= 1
        assert sum(a.status == "succeeded" for a in attempts) <= 1
        for earlier in attempts[:-1]:
            assert earlier.status == "failed"
            assert self.truth.get(earlier.attempt_id) is not None  # it really took nothing

    @invariant()
    def a_failed_payment_has_no_open_attempt(self) -> None:
        payment = self.flow.payment
        if payment.status in ("failed", "captured"):
            assert all(a.status not in OPEN_ATTEMPTS for a in payment.attempts)


AttemptNews.TestCase.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)
TestAttemptNews = AttemptNews.TestCase
