"""The payment aggregate. Pure: no I/O.

Provider news that arrives late or out of order never moves a payment
backwards: it is ignored (the method answers None, "no change"). A merchant's
command the payment cannot take raises a `PaymentError` with a precise code.
Methods that change the payment answer the reason shown in its timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from orchestrator.domain.attempts import Attempt, Operation, Reversal
from orchestrator.domain.errors import AttemptStillOpen, IllegalTransition, UnknownAttempt
from orchestrator.domain.resend import NOT_DEFINITE
from orchestrator.domain.states import OPEN_ATTEMPTS, TRANSITIONS
from payroute_common.fees import fees_for
from payroute_common.messages import PaymentFailure, PaymentMethod, PaymentSnapshot, ProviderError
from payroute_common.messages.values import (
    CaptureMethod,
    DisputeSummary,
    Fees,
    NextAction,
    PaymentStatus,
    RoutingPreferences,
)


@dataclass
class Payment:
    payment_id: str
    merchant_id: str
    amount: int
    currency: str
    capture_method: CaptureMethod
    payment_method: PaymentMethod
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    provider_preference: str | None = None
    return_url: str | None = None
    platform_fee_ppm: int = 0
    routing: RoutingPreferences = field(default_factory=RoutingPreferences)
    status: PaymentStatus = "pending"
    amount_capturable: int = 0
    amount_captured: int = 0
    amount_refunded: int = 0
    # Refunds asked of the provider and not answered yet: reserved, not refundable again.
    amount_refund_pending: int = 0
    provider: str | None = None
    provider_reference: str | None = None
    failure: PaymentFailure | None = None
    fees: Fees | None = None
    next_action: NextAction | None = None
    verification_expires_at: datetime | None = None
    attempts: list[Attempt] = field(default_factory=list)
    operation: Operation | None = None
    dispute: DisputeSummary | None = None
    # Late successes given back at their providers (one per attempt at most).
    reversals: list[Reversal] = field(default_factory=list)
    version: int = 0

    # -- moves -------------------------------------------------------------

    def can_move_to(self, status: PaymentStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def move_to(self, status: PaymentStatus, now: datetime) -> None:
        if not self.can_move_to(status):
            raise IllegalTransition(self.payment_id, self.status, status)
        self.status = status
        if status != "requires_action":
            self.next_action = None
        self.touch(now)

    def touch(self, now: datetime) -> None:
        """A change worth an event: the next snapshot must be newer."""
        self.updated_at = now
        self.version += 1

    def start_processing(self, provider: str, now: datetime) -> None:
        self.provider = provider
        self.move_to("processing", now)

    def start_attempt(
        self, attempt_id: str, provider: str, now: datetime, *, traceparent: str | None = None
    ) -> Attempt:
        """A new try at `provider`; never while another may still take money.

        `traceparent` is the payment's trace as the attempt starts; an attempt
        started outside it (by a timer) keeps the previous attempt's."""
        if (open_attempt := self.open_attempt) is not None:
            raise AttemptStillOpen(
                f"attempt {open_attempt.attempt_id} of payment {self.payment_id} "
                f"at {open_attempt.provider} is {open_attempt.status}"
            )
        if traceparent is None and self.attempts:
            traceparent = self.attempts[-1].traceparent
        attempt = Attempt(
            attempt_id=attempt_id, provider=provider, started_at=now, traceparent=traceparent
        )
        self.attempts.append(attempt)
        if self.status == "processing":
            self.provider = provider
            self.touch(now)
        else:
            self.start_processing(provider, now)
        return attempt

    def fail(self, failure: PaymentFailure, now: datetime) -> None:
        self.failure = failure
        self.move_to("failed", now)

    def capture(self, amount: int, now: datetime) -> None:
        self.amount_captured = amount
        self.amount_capturable = 0
        self.failure = None
        self.fees = fees_for(
            amount,
            self.currency,
            provider=self.provider or "manual",
            platform_fee_ppm=self.platform_fee_ppm,
            on=now.date(),
            method=self.payment_method.type,
        )
        self.move_to("captured", now)

    # -- attempts ----------------------------------------------------------

    @property
    def open_attempt(self) -> Attempt | None:
        """The attempt that may still take money (at most one), if any."""
        return next((a for a in self.attempts if a.status in OPEN_ATTEMPTS), None)

    def attempt(self, attempt_id: str) -> Attempt:
        for attempt in self.attempts:
            if attempt.attempt_id == attempt_id:
                return attempt
        raise UnknownAttempt(f"payment {self.payment_id} has no attempt {attempt_id}")

    def _settle_attempt(
        self, attempt: Attempt, provider_reference: str, latency_ms: int | None
    ) -> None:
        if attempt.status != "succeeded":
            latency = latency_ms if latency_ms is not None else attempt.latency_ms
            self._replace_attempt(
                replace(
                    attempt,
                    status="succeeded",
                    provider_reference=provider_reference,
                    latency_ms=latency,
                )
            )

    def _note_attempt(self, attempt: Attempt, provider_reference: str | None) -> None:
        """Remember the provider's reference of an attempt (so its news finds it)."""
        if provider_reference and attempt.provider_reference != provider_reference:
            self._replace_attempt(replace(attempt, provider_reference=provider_reference))

    def record_capture(
        self,
        attempt_id: str,
        provider_reference: str,
        latency_ms: int | None,
        now: datetime,
        amount: int | None = None,
    ) -> str | None:
        """The provider took the money on `attempt_id`."""
        attempt = self.attempt(attempt_id)
        self._settle_attempt(attempt, provider_reference, latency_ms)
        if not self.can_move_to("captured") or self.status == "authorized":
            return None
        self.provider = attempt.provider
        self.provider_reference = provider_reference
        captured = self.amount if amount is None else min(amount, self.amount)
        self.capture(captured, now)
        return f"captured {captured} through {attempt.provider}"

    def record_authorization(
        self, attempt_id: str, provider_reference: str, latency_ms: int | None, now: datetime
    ) -> str | None:
        """The provider holds the money for a later capture (manual capture)."""
        attempt = self.attempt(attempt_id)
        self._settle_attempt(attempt, provider_reference, latency_ms)
        if not self.can_move_to("authorized"):
            return None
        self.provider = attempt.provider
        self.provider_reference = provider_reference
        self.amount_capturable = self.amount
        self.failure = None
        self.move_to("authorized", now)
        return f"authorized {self.amount} at {attempt.provider}; capture or cancel it"

    def record_action_required(
        self,
        attempt_id: str,
        provider_reference: str,
        redirect_url: str | None,
        latency_ms: int | None,
        now: datetime,
    ) -> str | None:
        """The customer must act (3-D Secure, wallet); a webhook will tell the outcome."""
        attempt = self.attempt(attempt_id)
        if attempt.status not in OPEN_ATTEMPTS:
            return None
        if attempt.status == "unknown":
            # Known now: the provider waits for the customer, who may take a while.
            self._replace_attempt(replace(attempt, status="pending", error=None))
            attempt = self.attempt(attempt_id)
        if not self.can_move_to("requires_action"):
            return None
        self._note_attempt(attempt, provider_reference)
        self.provider_reference = provider_reference
        self.next_action = NextAction(redirect_url=redirect_url) if redirect_url else None
        self.move_to("requires_action", now)
        return f"{attempt.provider} asks the customer to act before paying"

    def record_attempt_failure(
        self,
        attempt_id: str,
        error: ProviderError,
        latency_ms: int | None,
        now: datetime,
        *,
        retry: bool = False,
        resolved: bool = False,
    ) -> str | None:
        """The provider refused `attempt_id`.

        A timeout is not a refusal: the provider may have taken the money. The
        attempt becomes `unknown` and the payment stays `processing` until the
        provider's truth arrives (webhook, the same request sent again, or a status
        query), never `failed` - unless the timeout is `resolved`: the provider was
        asked and took nothing. An unknown attempt stays unknown on any answer that
        is not definite (`NOT_DEFINITE`). With `retry` the payment stays
        `processing` for the next provider.
        """
        attempt = self.attempt(attempt_id)
        if attempt.status in ("succeeded", "failed") or not self.can_move_to("failed"):
            return None
        if attempt.status == "unknown" and error.category in NOT_DEFINITE and not resolved:
            return None
        if error.category == "timeout" and not resolved:
            if attempt.status == "unknown":
                return None
            self._replace_attempt(
                replace(attempt, status="unknown", error=error, latency_ms=latency_ms)
            )
            self.touch(now)
            return f"{attempt.provider} did not answer in time; waiting for its news"
        latency = latency_ms if latency_ms is not None else attempt.latency_ms
        self._replace_attempt(replace(attempt, status="failed", error=error, latency_ms=latency))
        refused = f"{attempt.provider} refused: {error.code} ({error.category})"
        if retry and self.status == "processing":
            self.touch(now)
            return refused
        self.fail(
            PaymentFailure(code=error.code, message=error.message, decline_code=error.decline_code),
            now,
        )
        return refused

    def _replace_attempt(self, updated: Attempt) -> None:
        self.attempts = [
            updated if a.attempt_id == updated.attempt_id else a for a in self.attempts
        ]

    def has_reference(self, provider: str, provider_reference: str) -> bool:
        """`provider_reference` is this payment's, or one of its attempts', at `provider`."""
        if (self.provider, self.provider_reference) == (provider, provider_reference):
            return True
        return any(
            (a.provider, a.provider_reference) == (provider, provider_reference)
            for a in self.attempts
        )

    def attempt_for_reference(self, provider: str, provider_reference: str) -> Attempt | None:
        """The attempt news about `provider_reference` is about: the one with that
        reference, else the open one at `provider`, else the one there whose reference
        was never learnt (given up unanswered; a payment tries a provider once)."""
        at_provider = [a for a in self.attempts if a.provider == provider]
        for attempt in at_provider:
            if attempt.provider_reference == provider_reference:
                return attempt
        open_attempts = [a for a in at_provider if a.status in OPEN_ATTEMPTS]
        if open_attempts:
            return open_attempts[-1]
        unnamed = [a for a in at_provider if a.provider_reference is None]
        return unnamed[-1] if unnamed else None

    def note_reference(self, attempt_id: str, provider_reference: str) -> None:
        """Remember the provider's reference of `attempt_id`, so its news finds it."""
        self._note_attempt(self.attempt(attempt_id), provider_reference)

    # -- the view ----------------------------------------------------------

    def snapshot(self) -> PaymentSnapshot:
        return PaymentSnapshot(
            payment_id=self.payment_id,
            merchant_id=self.merchant_id,
            version=self.version,
            status=self.status,
            amount=self.amount,
            amount_capturable=self.amount_capturable,
            amount_captured=self.amount_captured,
            amount_refunded=self.amount_refunded,
            currency=self.currency,
            capture_method=self.capture_method,
            payment_method_type=self.payment_method.type,
            provider=self.provider,
            provider_reference=self.provider_reference,
            failure=self.failure,
            created_at=self.created_at,
            updated_at=self.updated_at,
            fees=self.fees,
            attempts=[a.summary() for a in self.attempts],
            next_action=self.next_action,
            verification_expires_at=self.verification_expires_at,
            dispute=self.dispute,
        )
