"""What a provider's report should show beyond captures. Pure: no I/O.

- every refund in its latest status: a report settling a refund Payroute shows
  `failed` is a status mismatch, and one Payroute still shows `pending` may settle;
- every late success (a provider's success for an attempt the payment no longer
  needed) with how its reversal went, so that its charge and the refund that gave
  the money back match as one explained pair instead of two strangers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from payroute_common.envelope import Message
from payroute_common.messages import (
    LateSuccessEvent,
    LateSuccessFound,
    LateSuccessReversalFailed,
    LateSuccessReversed,
    RefundEvent,
)

# A late success's reversal only moves forward: found → reversed | reversal_failed.
LATE_SUCCESS_STATUS: dict[type[LateSuccessEvent], str] = {
    LateSuccessFound: "found",
    LateSuccessReversed: "reversed",
    LateSuccessReversalFailed: "reversal_failed",
}
LATE_SUCCESS_RANK = {"found": 0, "reversed": 1, "reversal_failed": 1}


@dataclass(frozen=True)
class RefundState:
    refund_id: str
    payment_id: str
    provider: str | None
    provider_reference: str | None
    amount: int
    currency: str
    status: str
    updated_at: datetime
    settled_at: datetime | None


@dataclass(frozen=True)
class LateSuccessState:
    attempt_id: str
    payment_id: str
    provider: str
    provider_reference: str
    amount: int
    currency: str
    reversal: str
    operation_id: str
    status: str


def refund_state(event: RefundEvent) -> RefundState:
    refund = event.refund
    return RefundState(
        refund_id=refund.refund_id,
        payment_id=refund.payment_id,
        provider=refund.provider or event.payment.provider,
        provider_reference=refund.provider_reference,
        amount=refund.amount,
        currency=refund.currency,
        status=refund.status,
        updated_at=refund.updated_at,
        settled_at=refund.updated_at if refund.status == "succeeded" else None,
    )


def late_success_state(event: LateSuccessEvent) -> LateSuccessState:
    late = event.late_success
    return LateSuccessState(
        attempt_id=late.attempt_id,
        payment_id=event.payment.payment_id,
        provider=late.provider,
        provider_reference=late.provider_reference,
        amount=late.amount,
        currency=late.currency,
        reversal=late.kind,
        operation_id=late.operation_id,
        status=LATE_SUCCESS_STATUS.get(type(event), "found"),
    )


def refunds_in(messages: Iterable[Message]) -> list[RefundState]:
    """The latest state of each refund a batch shows (a newer `updated_at` wins)."""
    latest: dict[str, RefundState] = {}
    for message in messages:
        if isinstance(message, RefundEvent):
            state = refund_state(message)
            seen = latest.get(state.refund_id)
            if seen is None or state.updated_at >= seen.updated_at:
                latest[state.refund_id] = state
    return list(latest.values())


def late_successes_in(messages: Iterable[Message]) -> list[LateSuccessState]:
    """The furthest state of each late success a batch shows."""
    latest: dict[str, LateSuccessState] = {}
    for message in messages:
        if isinstance(message, LateSuccessEvent):
            state = late_success_state(message)
            seen = latest.get(state.attempt_id)
            if seen is None or LATE_SUCCESS_RANK[state.status] >= LATE_SUCCESS_RANK[seen.status]:
                latest[state.attempt_id] = state
    return list(latest.values())
