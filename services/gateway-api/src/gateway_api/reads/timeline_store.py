"""The payment timeline: every payment event the gateway consumed, in version order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_api.domain import TimelineEvent
from gateway_api.tables import payment_events
from payroute_common.messages import LateSuccess, PaymentFailure


def event_row(event: TimelineEvent, merchant_id: str) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "payment_id": event.payment_id,
        "merchant_id": merchant_id,
        "type": event.type,
        "status": event.status,
        "reason": event.reason,
        "version": event.version,
        "occurred_at": event.occurred_at,
        "refund_id": event.refund_id,
        "refund_amount": event.refund_amount,
        "operation": event.operation,
        "failure": event.failure.model_dump(mode="json") if event.failure else None,
        "late_success": (
            event.late_success.model_dump(mode="json") if event.late_success else None
        ),
    }


class TimelineRepository(Protocol):
    async def record(self, events: Sequence[tuple[str, TimelineEvent]]) -> None: ...
    async def for_payment(self, merchant_id: str, payment_id: str) -> list[TimelineEvent]: ...


class SqlTimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, events: Sequence[tuple[str, TimelineEvent]]) -> None:
        """Store (merchant id, event) pairs; an event already stored is kept as is."""
        if not events:
            return
        statement = insert(payment_events).on_conflict_do_nothing(
            index_elements=[payment_events.c.event_id]
        )
        rows = [event_row(event, merchant_id) for merchant_id, event in events]
        await (await self._session.connection()).execute(statement, rows)

    async def for_payment(self, merchant_id: str, payment_id: str) -> list[TimelineEvent]:
        t = payment_events
        query = (
            select(t)
            .where(t.c.payment_id == payment_id, t.c.merchant_id == merchant_id)
            .order_by(t.c.version, t.c.occurred_at)
        )
        result = await (await self._session.connection()).execute(query)
        return [
            TimelineEvent(
                event_id=str(row["event_id"]),
                payment_id=row["payment_id"],
                type=row["type"],
                status=row["status"],
                reason=row["reason"],
                version=row["version"],
                occurred_at=row["occurred_at"],
                refund_id=row["refund_id"],
                refund_amount=row["refund_amount"],
                operation=row["operation"],
                failure=PaymentFailure.model_validate(row["failure"]) if row["failure"] else None,
                late_success=(
                    LateSuccess.model_validate(row["late_success"]) if row["late_success"] else None
                ),
            )
            for row in result.mappings()
        ]
