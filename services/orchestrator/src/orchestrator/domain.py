"""The payment aggregate and its state machine. Pure: no I/O.

Statuses and legal moves follow SPEC.md section 3. Provider news that arrives
late or out of order never moves a payment backwards: an illegal move from
provider news is ignored (and reported as "no change"), while an illegal move
asked for by a merchant raises `IllegalTransition`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from payroute_common.messages import PaymentFailure, PaymentMethod, PaymentSnapshot, ProviderError
from payroute_common.messages.values import CaptureMethod, PaymentStatus

AttemptStatus = Literal["pending", "succeeded", "failed", "unknown"]
# Attempts that may still take money: no answer yet, or an answer lost in transit.
OPEN_ATTEMPTS: frozenset[AttemptStatus] = frozenset({"pending", "unknown"})

TRANSITIONS: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    "pending": frozenset({"processing", "failed"}),
    "processing": frozenset(
        {"requires_action", "pending_verification", "authorized", "captured", "failed"}
    ),
    "requires_action": frozenset({"authorized", "captured", "failed"}),
    "pending_verification": frozenset({"captured", "failed"}),
    "authorized": frozenset({"captured", "canceled"}),
    "captured": frozenset({"partially_refunded", "refunded", "disputed"}),
    "partially_refunded": frozenset({"partially_refunded", "refunded", "disputed"}),
    "disputed": frozenset({"captured", "partially_refunded", "refunded"}),
    "refunded": frozenset(),
    "canceled": frozenset(),
    "failed": frozenset(),
}
TERMINAL: frozenset[PaymentStatus] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


class PaymentError(Exception):
    """A rule of the payment domain was broken."""


class IllegalTransition(PaymentError):
    def __init__(self, payment_id: str, current: PaymentStatus, wanted: PaymentStatus) -> None:
        super().__init__(f"payment {payment_id} cannot go from {current} to {wanted}")
        self.current = current
        self.wanted = wanted


class UnknownAttempt(PaymentError):
    pass


@dataclass(frozen=True)
class Attempt:
    attempt_id: str
    provider: str
    status: AttemptStatus = "pending"
    provider_reference: str | None = None
    error: ProviderError | None = None
    latency_ms: int | None = None


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
    status: PaymentStatus = "pending"
    amount_capturable: int = 0
    amount_captured: int = 0
    amount_refunded: int = 0
    provider: str | None = None
    provider_reference: str | None = None
    failure: PaymentFailure | None = None
    attempts: list[Attempt] = field(default_factory=list)
    version: int = 0

    def can_move_to(self, status: PaymentStatus) -> bool:
        return status in TRANSITIONS[self.status]

    def _move(self, status: PaymentStatus, now: datetime) -> None:
        if not self.can_move_to(status):
            raise IllegalTransition(self.payment_id, self.status, status)
        self.status = status
        self.updated_at = now
        self.version += 1

    def start_attempt(self, attempt_id: str, provider: str, now: datetime) -> Attempt:
        attempt = Attempt(attempt_id=attempt_id, provider=provider)
        self.attempts.append(attempt)
        self.provider = provider
        if self.status == "processing":
            self.version += 1
            self.updated_at = now
        else:
            self._move("processing", now)
        return attempt

    def fail(self, failure: PaymentFailure, now: datetime) -> None:
        self.failure = failure
        self._move("failed", now)

    def attempt(self, attempt_id: str) -> Attempt:
        for attempt in self.attempts:
            if attempt.attempt_id == attempt_id:
                return attempt
        raise UnknownAttempt(f"payment {self.payment_id} has no attempt {attempt_id}")

    def _replace_attempt(self, updated: Attempt) -> None:
        self.attempts = [
            updated if a.attempt_id == updated.attempt_id else a for a in self.attempts
        ]

    def record_capture(
        self, attempt_id: str, provider_reference: str, latency_ms: int | None, now: datetime
    ) -> bool:
        """The provider took the money on `attempt_id`; False when that changes nothing."""
        attempt = self.attempt(attempt_id)
        if attempt.status != "succeeded":
            self._replace_attempt(
                replace(
                    attempt,
                    status="succeeded",
                    provider_reference=provider_reference,
                    latency_ms=latency_ms if latency_ms is not None else attempt.latency_ms,
                )
            )
        if not self.can_move_to("captured"):
            return False
        self.provider = attempt.provider
        self.provider_reference = provider_reference
        self.amount_captured = self.amount
        self.amount_capturable = 0
        self.failure = None
        self._move("captured", now)
        return True

    def record_attempt_failure(
        self, attempt_id: str, error: ProviderError, latency_ms: int, now: datetime
    ) -> bool:
        """The provider refused `attempt_id`; False when that changes nothing.

        A timeout is not a refusal: the provider may have taken the money. The
        attempt becomes `unknown` and the payment stays `processing` until the
        provider's truth arrives (webhook, or a status query), never `failed`.
        """
        attempt = self.attempt(attempt_id)
        if attempt.status == "succeeded" or not self.can_move_to("failed"):
            return False
        if error.category == "timeout":
            if attempt.status == "unknown":
                return False
            self._replace_attempt(
                replace(attempt, status="unknown", error=error, latency_ms=latency_ms)
            )
            self.updated_at = now
            self.version += 1
            return True
        self._replace_attempt(replace(attempt, status="failed", error=error, latency_ms=latency_ms))
        self.fail(
            PaymentFailure(code=error.code, message=error.message, decline_code=error.decline_code),
            now,
        )
        return True

    def attempt_for_reference(self, provider: str, provider_reference: str) -> Attempt | None:
        for attempt in self.attempts:
            if attempt.provider == provider and attempt.provider_reference == provider_reference:
                return attempt
        open_attempts = [
            a
            for a in self.attempts
            if a.provider == provider and a.status in {"pending", "unknown"}
        ]
        return open_attempts[-1] if open_attempts else None

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
        )
