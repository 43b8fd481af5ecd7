"""Attempts (one try at one provider) and operations (capture or void in flight)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from orchestrator.domain.states import AttemptStatus
from payroute_common.messages import ProviderError
from payroute_common.messages.values import AttemptSummary

OperationKind = Literal["capture", "void"]


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

    `unknown` after a timeout: the provider may have done it, so no other
    operation may start until its truth arrives.
    """

    operation_id: str
    kind: OperationKind
    amount: int
    status: Literal["pending", "unknown"] = "pending"
