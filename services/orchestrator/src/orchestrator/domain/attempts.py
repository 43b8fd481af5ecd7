"""Attempts (one try at one provider), operations (capture or void in flight) and
reversals (money a provider took for an attempt the payment no longer needed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orchestrator.domain.resend import ProviderAnswer
from orchestrator.domain.states import AttemptStatus
from payroute_common.messages import LateSuccess, ProviderError
from payroute_common.messages.values import AttemptSummary, LateSuccessReversal

OperationKind = Literal["capture", "void"]
# sent: no answer yet; reversed/failed: the provider's definite answer.
ReversalStatus = Literal["sent", "undetermined", "accepted", "reversed", "failed"]


@dataclass(frozen=True)
class Attempt:
    attempt_id: str
    provider: str
    status: AttemptStatus = "pending"
    provider_reference: str | None = None
    error: ProviderError | None = None
    latency_ms: int | None = None
    started_at: datetime | None = None
    # Status queries sent to the provider while the outcome was unknown.
    queries: int = 0
    # The payment's trace when the attempt started (W3C traceparent), sent to the
    # provider as metadata so its webhooks rejoin that trace. Kept, not re-read:
    # a re-sent request must be the very same request.
    traceparent: str | None = None

    def summary(self) -> AttemptSummary:
        return AttemptSummary(
            attempt_id=self.attempt_id,
            provider=self.provider,
            outcome=self.status,
            error_code=self.error.code if self.error else None,
            latency_ms=self.latency_ms,
        )


@dataclass(frozen=True)
class Operation:
    """A capture or void sent to the provider and not answered yet.

    `unknown` after an undetermined answer (or none by the deadline): the
    provider may have done it, so no other operation may start until its truth
    arrives; the same command is sent again until it does (`resends`).
    """

    operation_id: str
    kind: OperationKind
    amount: int
    status: Literal["pending", "unknown"] = "pending"
    sent_at: datetime | None = None
    resends: int = 0


@dataclass(frozen=True)
class Reversal:
    """A late success being given back: a void of what `provider` holds, or a refund
    of what it captured, sent as `operation_id` (the provider's idempotency key)."""

    attempt_id: str
    provider: str
    provider_reference: str
    amount: int
    currency: str
    kind: LateSuccessReversal
    operation_id: str
    sent_at: datetime
    status: ReversalStatus = "sent"
    resends: int = 0

    @property
    def open(self) -> bool:
        return self.status not in ("reversed", "failed")

    @property
    def answer(self) -> ProviderAnswer:
        if self.status == "sent":
            return "none"
        return "accepted" if self.status == "accepted" else "undetermined"

    def late_success(self) -> LateSuccess:
        return LateSuccess(
            attempt_id=self.attempt_id,
            provider=self.provider,
            provider_reference=self.provider_reference,
            amount=self.amount,
            currency=self.currency,
            kind=self.kind,
            operation_id=self.operation_id,
        )
