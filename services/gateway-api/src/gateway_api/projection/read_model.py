"""Payment events move the payments and refunds read models forward and fill the
payment's timeline. Nothing here moves a payment backwards: a snapshot no newer
than the row changes nothing, a final refund status is never taken back.

Late-success events (`LateSuccessFound`, `LateSuccessReversed`,
`LateSuccessReversalFailed`) leave the payment's status as it is; they appear on
the timeline with their reason (`late_success_reversed: ...`) and the money
involved (`late_success`). A failed refund shows its `failure` there too, and
its amount is refundable again (see `refund_store.refunded`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from gateway_api.domain import TimelineEvent
from gateway_api.payments import pending_operations
from gateway_api.unit_of_work import HandlerUnitOfWork
from payroute_common.messages import LateSuccess, LateSuccessEvent, PaymentEvent, PaymentSnapshot
from payroute_common.messages.payment_events import PaymentOperationFailed, RefundEvent
from payroute_common.messages.values import RefundSnapshot

LATE_SUCCESS_REASON = "late_success_reversed"


def latest_snapshots(events: Iterable[PaymentEvent]) -> list[PaymentSnapshot]:
    """The newest snapshot of each payment in a batch (events may arrive out of order)."""
    latest: dict[str, PaymentSnapshot] = {}
    for event in events:
        snapshot = event.payment
        seen = latest.get(snapshot.payment_id)
        if seen is None or snapshot.version > seen.version:
            latest[snapshot.payment_id] = snapshot
    return list(latest.values())


def latest_refunds(events: Iterable[PaymentEvent]) -> list[RefundSnapshot]:
    """The newest snapshot of each refund in a batch (a final status beats `pending`)."""
    latest: dict[str, RefundSnapshot] = {}
    for event in events:
        if not isinstance(event, RefundEvent):
            continue
        snapshot = event.refund
        seen = latest.get(snapshot.refund_id)
        if seen is None or (snapshot.status != "pending", snapshot.updated_at) >= (
            seen.status != "pending",
            seen.updated_at,
        ):
            latest[snapshot.refund_id] = snapshot
    return list(latest.values())


def late_success_reason(event: LateSuccessEvent) -> str:
    """The event's reason, always under the `late_success_reversed:` heading."""
    found = event.late_success
    reason = event.reason or (
        f"{event.event_type}: {found.kind} of {found.amount} {found.currency} at "
        f"{found.provider} ({found.provider_reference}, attempt {found.attempt_id})"
    )
    prefix = f"{LATE_SUCCESS_REASON}:"
    return reason if reason.startswith(prefix) else f"{prefix} {reason}"


def timeline_event(event: PaymentEvent, event_id: uuid.UUID | None = None) -> TimelineEvent:
    """The timeline entry for `event`; without an envelope id, one derived from its content."""
    snapshot = event.payment
    refund = event.refund if isinstance(event, RefundEvent) else None
    failed = event if isinstance(event, PaymentOperationFailed) else None
    late: LateSuccess | None = event.late_success if isinstance(event, LateSuccessEvent) else None
    if event_id is None:
        name = f"{event.event_type}:{snapshot.payment_id}:{snapshot.version}"
        name += f":{refund.refund_id}:{refund.status}" if refund else ""
        name += f":{failed.operation}:{failed.failure.code}" if failed else ""
        name += f":{late.operation_id}" if late else ""
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, name)
    failure = failed.failure if failed else refund.failure if refund else None
    return TimelineEvent(
        event_id=str(event_id),
        payment_id=snapshot.payment_id,
        type=event.event_type,
        status=snapshot.status,
        reason=late_success_reason(event) if isinstance(event, LateSuccessEvent) else event.reason,
        version=snapshot.version,
        occurred_at=snapshot.updated_at,
        refund_id=refund.refund_id if refund else None,
        refund_amount=refund.amount if refund else None,
        operation=failed.operation if failed else None,
        failure=failure,
        late_success=late,
    )


async def apply_payment_events(
    events: Iterable[PaymentEvent],
    *,
    uow: HandlerUnitOfWork,
    event_ids: Sequence[uuid.UUID] | None = None,
) -> None:
    """Move the read models forward and record the timeline (the caller commits).

    An event that answers a capture, cancel or verification clears the payment's
    pending operation (see `pending_operations`).
    """
    events = list(events)
    ids: list[uuid.UUID | None] = list(event_ids) if event_ids is not None else [None] * len(events)
    answered = pending_operations.answered(events)
    await uow.payments.apply(latest_snapshots(events), answered)
    await uow.refunds.apply(latest_refunds(events))
    await uow.timeline.record(
        [(e.payment.merchant_id, timeline_event(e, i)) for e, i in zip(events, ids, strict=True)]
    )
