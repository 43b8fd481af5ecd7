"""When the read model's `pending_operation` (a capture, cancel or verification
sent and not yet answered) is cleared, so the 409 `payment_operation_in_progress`
guard never outlives the operation.

- An answering event clears it whatever its version: the operation's outcome
  (`PaymentCaptured`, `PaymentCanceled`, `PaymentFailed` for a rejected or expired
  verification), its refusal (`PaymentOperationFailed`), or news that can only
  follow it (a refund or a dispute: the payment is captured).
- A newer snapshot keeps it only while the payment is still in a status the
  operation starts from; news that changes nothing (an attempt update, a late
  success reversed elsewhere) leaves it in place.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, case, literal, null
from sqlalchemy.sql.expression import ColumnClause

from gateway_api.tables import payments
from payroute_common.lifecycle import CANCELABLE, CAPTURABLE, VERIFIABLE
from payroute_common.messages import (
    PaymentCanceled,
    PaymentCaptured,
    PaymentDisputeClosed,
    PaymentDisputed,
    PaymentEvent,
    PaymentFailed,
)
from payroute_common.messages.payment_events import PaymentOperationFailed, RefundEvent

ANSWERS: tuple[type[PaymentEvent], ...] = (
    PaymentCaptured,
    PaymentCanceled,
    PaymentFailed,
    PaymentOperationFailed,
    RefundEvent,
    PaymentDisputed,
    PaymentDisputeClosed,
)
STARTS_FROM = {"capture": CAPTURABLE, "cancel": CANCELABLE, "verify": VERIFIABLE}


def answered(events: Iterable[PaymentEvent]) -> list[str]:
    """The payments whose operation in flight `events` answer."""
    return sorted({e.payment.payment_id for e in events if isinstance(e, ANSWERS)})


def kept_after(new_status: ColumnClause[str] | ColumnElement[str]) -> ColumnElement[str | None]:
    """SQL: the row's pending operation if the payment, now in `new_status`, could
    still be waiting for it; NULL otherwise."""
    current = payments.c.pending_operation
    return case(
        *(
            (
                (current == literal(operation))
                & new_status.in_([literal(s) for s in sorted(statuses)]),
                current,
            )
            for operation, statuses in STARTS_FROM.items()
        ),
        else_=null(),
    )
