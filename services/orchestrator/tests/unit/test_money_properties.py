"""Random provider answers, consistent with what each provider really did, told in any
order, late, twice, or not at all: the customer's money is kept for one attempt at most.

Each attempt's truth (took the money, or refused) is drawn when first needed. Answers
about it agree with it, except that an undetermined answer (timeout) may replace any
answer, and a provider's search may lag (`not_found` for money it took), so that a
provider without idempotency keys may be given up on while it holds the money. A
success Payroute hears must then be either the one the payment keeps or reversed.
"""

from dataclasses import replace
from datetime import timedelta
from typing import Literal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from orchestrator.domain import OPEN_ATTEMPTS
from orchestrator.domain.attempts import Attempt
from orchestrator.recovery import RecoveryPolicy
from orchestrator.testing import DECLINE, PAY, SOFT_DECLINE, TIMEOUT, UNAVAILABLE, create
from orchestrator.testing import status_report as report
from payroute_common.clock import utcnow
from payroute_common.messages import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderError,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    ProviderWebhookReceived,
)
from payroute_common.messages.values import CaptureMethod, RoutingPreferences

from .flow import Flow

Truth = ProviderError | None  # None: the provider took (or holds) the money
truths = st.sampled_from([None, None, DECLINE, SOFT_DECLINE, UNAVAILABLE])
AMOUNT = 10_000


class ProviderTruths(RuleBasedStateMachine):
    @initialize(
        resend=st.booleans(),
        max_attempts=st.integers(min_value=1, max_value=4),
        capture_method=st.sampled_from(["automatic", "manual"]),
    )
    def create(self, resend: bool, max_attempts: int, capture_method: CaptureMethod) -> None:
        policy = RecoveryPolicy() if resend else RecoveryPolicy(resendable=frozenset())
        self.flow = Flow(policy)
        self.truth: dict[str, Truth] = {}
        self.heard: set[str] = set()  # attempts whose success Payroute was told
        self.taken: Literal["captured", "authorized"] = (
            "captured" if capture_method == "automatic" else "authorized"
        )
        routing = RoutingPreferences(max_attempts=max_attempts)
        self.flow.send(create(routing=routing, capture_method=capture_method, amount=AMOUNT))

    def _attempt(self, data: st.DataObject) -> tuple[Attempt, Truth]:
        attempt = data.draw(st.sampled_from(self.flow.payment.attempts))
        if attempt.attempt_id not in self.truth:
            self.truth[attempt.attempt_id] = data.draw(truths)
        return attempt, self.truth[attempt.attempt_id]

    def _success(self, attempt: Attempt) -> ProviderAttemptSucceeded:
        self.heard.add(attempt.attempt_id)
        return ProviderAttemptSucceeded(
            payment_id=PAY,
            attempt_id=attempt.attempt_id,
            provider=attempt.provider,
            provider_reference=f"ref_{attempt.attempt_id}",
            outcome=self.taken,
            amount=AMOUNT,
            currency="PHP",
            latency_ms=5,
        )

    @rule(data=st.data(), undetermined=st.booleans())
    def provider_answers(self, data: st.DataObject, undetermined: bool) -> None:
        """The answer to the attempt's request (first sent, or sent again)."""
        attempt, truth = self._attempt(data)
        if truth is None and not undetermined:
            self.flow.send(self._success(attempt))
            return
        error = TIMEOUT if undetermined or truth is None else truth
        failed = ProviderAttemptFailed(
            payment_id=PAY,
            attempt_id=attempt.attempt_id,
            provider=attempt.provider,
            error=error,
            latency_ms=5,
        )
        self.flow.send(failed)

    @rule(data=st.data(), vague=st.sampled_from([None, "pending", "unknown", "not_found"]))
    def provider_reports_status(self, data: st.DataObject, vague: str | None) -> None:
        attempt, truth = self._attempt(data)
        provider = attempt.provider
        if vague is not None:
            message = report(attempt.attempt_id, vague, provider=provider)  # type: ignore[arg-type]
        elif truth is None:
            self.heard.add(attempt.attempt_id)
            message = report(attempt.attempt_id, self.taken, provider=provider)
        else:
            message = report(attempt.attempt_id, "failed", provider=provider, error=truth)
        self.flow.send(message)

    @rule(data=st.data())
    def provider_sends_news(self, data: st.DataObject) -> None:
        attempt, truth = self._attempt(data)
        if truth is not None:
            return
        self.heard.add(attempt.attempt_id)
        news = ProviderWebhookReceived(
            provider=attempt.provider,
            provider_event_id=f"evt_{attempt.attempt_id}",
            provider_event_type="payment_intent.succeeded",
            subject="payment",
            outcome="succeeded" if self.taken == "captured" else "authorized",
            provider_reference=f"ref_{attempt.attempt_id}",
            payment_id=PAY,
            amount=AMOUNT,
            currency="PHP",
            received_at=utcnow(),
        )
        self.flow.send(news)

    @rule()
    def time_passes(self) -> None:
        """Every timer fires; every attempt gets older than the not-found grace period."""
        payment = self.flow.payment
        payment.attempts = [
            replace(a, started_at=a.started_at - timedelta(minutes=2)) if a.started_at else a
            for a in payment.attempts
        ]
        self.flow.fire_scheduled()

    @precondition(lambda self: bool(self.flow.payment.reversals))
    @rule(data=st.data(), definite=st.booleans())
    def provider_answers_a_reversal(self, data: st.DataObject, definite: bool) -> None:
        reversal = data.draw(st.sampled_from(self.flow.payment.reversals))
        common = {
            "payment_id": PAY,
            "operation_id": reversal.operation_id,
            "operation": reversal.kind,
            "provider": reversal.provider,
            "latency_ms": 3,
        }
        if definite:
            self.flow.send(
                ProviderOperationSucceeded(
                    **common,
                    provider_reference=reversal.provider_reference,
                    amount=reversal.amount,
                    currency="PHP",
                )
            )
        else:
            self.flow.send(ProviderOperationFailed(**common, error=TIMEOUT))

    @invariant()
    def never_two_attempts_open_or_kept(self) -> None:
        attempts = self.flow.payment.attempts
        assert sum(a.status in OPEN_ATTEMPTS for a in attempts) <= 1
        assert sum(a.status == "succeeded" for a in attempts) <= 1

    @invariant()
    def every_success_heard_is_kept_once_or_given_back(self) -> None:
        payment = self.flow.payment
        reversed_ = {r.attempt_id for r in payment.reversals}
        kept = {a.attempt_id for a in payment.attempts if a.status == "succeeded"}
        assert not kept & reversed_
        assert self.heard <= kept | reversed_
        for attempt_id in kept | reversed_:
            assert self.truth.get(attempt_id, "untold") is None  # only money really taken
        assert len({r.attempt_id for r in payment.reversals}) == len(payment.reversals)

    @invariant()
    def money_shown_never_exceeds_the_amount(self) -> None:
        payment = self.flow.payment
        assert 0 <= payment.amount_captured <= payment.amount
        assert 0 <= payment.amount_capturable <= payment.amount
        assert payment.amount_captured + payment.amount_capturable <= payment.amount


ProviderTruths.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
TestProviderTruths = ProviderTruths.TestCase
