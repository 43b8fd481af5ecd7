"""Which event adds what to the metrics. Pure: no I/O.

Every payment event carries the payment's state after the change, so each one
may reveal several facts, each counted once whatever events carry it (a
`once_key`): the payment reached its status (`payment:<id>:<status>`, with the
captured amount or the failure code), its fees became known (`fees:<id>`), a
refund reached its status (`refund:<id>:<status>`, with the amount once it
succeeded), and how long the payment took from accept to its first final or
waiting status (`processing:<id>`). An older snapshot delivered late still shows
a status the payment did reach, so it counts if nothing had counted that arrival
yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from metrics_exporter.metrics import (
    FEE_AMOUNT_MINOR,
    LATE_SUCCESSES,
    PAYMENT_AMOUNT_MINOR,
    PAYMENT_FAILURES,
    PAYMENT_PROCESSING,
    PAYMENTS,
    REFUND_AMOUNT_MINOR,
    REFUNDS,
    Counted,
    Increment,
    bounded,
    increment,
    observe,
)
from metrics_exporter.reconciliation import run_completed
from payroute_common.catalog import MANUAL_METHODS
from payroute_common.envelope import Message
from payroute_common.messages import (
    LateSuccessEvent,
    LateSuccessFound,
    LateSuccessReversalFailed,
    LateSuccessReversed,
    PaymentEvent,
    PaymentSnapshot,
    ReconciliationRunCompleted,
    RefundEvent,
    RefundSnapshot,
)

# Where the system's part of a payment ends: it is decided, or waits on someone else
# (the customer's action, an operator's verification, the merchant's capture).
PROCESSED_STATUSES = frozenset(
    {"captured", "authorized", "failed", "canceled", "requires_action", "pending_verification"}
)


def _payment_status(payment: PaymentSnapshot) -> Counted:
    status, provider = payment.status, bounded(payment.provider)
    method = bounded(payment.payment_method_type)
    labels = {
        "status": status,
        "provider": provider,
        "method": method,
        "currency": payment.currency,
    }
    increments = [increment(PAYMENTS, 1, **labels)]
    if status == "captured":
        increments.append(increment(PAYMENT_AMOUNT_MINOR, payment.amount_captured, **labels))
    if status == "failed":
        code = bounded(payment.failure.code if payment.failure is not None else None)
        increments.append(increment(PAYMENT_FAILURES, 1, code=code, provider=provider))
    return Counted(tuple(increments), once_key=f"payment:{payment.payment_id}:{status}")


def _processing_time(payment: PaymentSnapshot) -> Counted | None:
    """Accept to the first processed status the exporter sees, once per payment."""
    if payment.status not in PROCESSED_STATUSES:
        return None
    seconds = (payment.updated_at - payment.created_at).total_seconds()
    labels = {"provider": bounded(payment.provider), "method": bounded(payment.payment_method_type)}
    return Counted(
        observe(PAYMENT_PROCESSING, seconds, **labels), once_key=f"processing:{payment.payment_id}"
    )


def _payment_fees(payment: PaymentSnapshot) -> Counted | None:
    if payment.fees is None:
        return None
    currency = payment.currency
    increments = (
        increment(FEE_AMOUNT_MINOR, payment.fees.provider_fee, kind="provider", currency=currency),
        increment(FEE_AMOUNT_MINOR, payment.fees.platform_fee, kind="platform", currency=currency),
    )
    return Counted(increments, once_key=f"fees:{payment.payment_id}")


def _refund_status(refund: RefundSnapshot, payment: PaymentSnapshot) -> Counted:
    provider = bounded(refund.provider or payment.provider)
    labels = {"status": refund.status, "provider": provider, "currency": refund.currency}
    increments: list[Increment] = [increment(REFUNDS, 1, **labels)]
    if refund.status == "succeeded":
        increments.append(increment(REFUND_AMOUNT_MINOR, refund.amount, currency=refund.currency))
    return Counted(tuple(increments), once_key=f"refund:{refund.refund_id}:{refund.status}")


LATE_STAGES: dict[type[LateSuccessEvent], str] = {
    LateSuccessFound: "found",
    LateSuccessReversed: "reversed",
    LateSuccessReversalFailed: "reversal_failed",
}


def _late_success(event: LateSuccessEvent) -> Counted:
    late = event.late_success
    stage = LATE_STAGES[type(event)]
    labels = {"provider": bounded(late.provider), "stage": stage}
    return Counted(
        (increment(LATE_SUCCESSES, 1, **labels),), once_key=f"late:{late.attempt_id}:{stage}"
    )


def count(message: Message) -> tuple[Counted, ...]:
    """What `message` adds to the counters; nothing for messages that count for nothing."""
    if isinstance(message, ReconciliationRunCompleted):
        return (run_completed(message),)
    if not isinstance(message, PaymentEvent):
        return ()
    payment = message.payment
    counted = [_payment_status(payment), _processing_time(payment), _payment_fees(payment)]
    if isinstance(message, RefundEvent):
        counted.append(_refund_status(message.refund, message.payment))
    if isinstance(message, LateSuccessEvent):
        counted.append(_late_success(message))
    return tuple(c for c in counted if c is not None)


@dataclass(frozen=True)
class PaymentStatus:
    """The latest known status of a payment that may wait for verification, and when
    the payment entered it (the snapshot's `updated_at`)."""

    payment_id: str
    status: str
    version: int
    since: datetime


def tracked_status(message: Message) -> PaymentStatus | None:
    """The status to keep for the pending-verification gauge, if `message` has one.

    Only manual methods (cash, cheque, bank transfer) wait for verification, so
    only their payments are kept: every later status too, since an older
    `pending_verification` snapshot arriving after them must change nothing.
    """
    if not isinstance(message, PaymentEvent):
        return None
    payment = message.payment
    if payment.payment_method_type in MANUAL_METHODS or payment.status == "pending_verification":
        return PaymentStatus(
            payment.payment_id, payment.status, payment.version, payment.updated_at
        )
    return None


def latest_statuses(messages: Iterable[Message]) -> list[PaymentStatus]:
    """One status per payment from a batch: the one with the highest version."""
    latest: dict[str, PaymentStatus] = {}
    for message in messages:
        if (status := tracked_status(message)) is not None:
            seen = latest.get(status.payment_id)
            if seen is None or status.version > seen.version:
                latest[status.payment_id] = status
    return list(latest.values())
