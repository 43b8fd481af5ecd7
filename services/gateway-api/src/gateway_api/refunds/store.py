"""The refunds read model: written when the gateway asks for a refund, moved by refund events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_api.domain import Refund
from gateway_api.reads.changes import notify_changed
from gateway_api.tables import refunds
from payroute_common.hot_writes import InsertOnCommit
from payroute_common.messages import PaymentFailure
from payroute_common.messages.values import RefundSnapshot

# What a refund event may change; amount, reason and ids are the gateway's own.
SNAPSHOT_COLUMNS = ("status", "provider", "provider_reference", "failure", "updated_at")


def refund_row(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "payment_id": refund.payment_id,
        "merchant_id": refund.merchant_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "reason": refund.reason,
        "status": refund.status,
        "provider": refund.provider,
        "provider_reference": refund.provider_reference,
        "failure": refund.failure.model_dump(mode="json") if refund.failure else None,
        "created_at": refund.created_at,
        "updated_at": refund.updated_at,
    }


def refund_from_row(row: Mapping[Any, Any]) -> Refund:
    return Refund(
        id=row["id"],
        payment_id=row["payment_id"],
        merchant_id=row["merchant_id"],
        amount=row["amount"],
        currency=row["currency"],
        reason=row["reason"],
        status=row["status"],
        provider=row["provider"],
        provider_reference=row["provider_reference"],
        failure=PaymentFailure.model_validate(row["failure"]) if row["failure"] else None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def snapshot_row(snapshot: RefundSnapshot) -> dict[str, Any]:
    return {
        "id": snapshot.refund_id,
        "payment_id": snapshot.payment_id,
        "merchant_id": snapshot.merchant_id,
        "amount": snapshot.amount,
        "currency": snapshot.currency,
        "reason": snapshot.reason,
        "status": snapshot.status,
        "provider": snapshot.provider,
        "provider_reference": snapshot.provider_reference,
        "failure": snapshot.failure.model_dump(mode="json") if snapshot.failure else None,
        "created_at": snapshot.created_at,
        "updated_at": snapshot.updated_at,
    }


class RefundRepository(Protocol):
    async def add(self, refund: Refund) -> None: ...
    async def get(self, merchant_id: str, refund_id: str) -> Refund | None: ...
    async def for_payment(self, merchant_id: str, payment_id: str) -> list[Refund]: ...
    async def refunded(self, payment_id: str) -> int: ...
    async def apply(self, snapshots: Sequence[RefundSnapshot]) -> None: ...


class SqlRefundRepository:
    def __init__(self, session: AsyncSession, insert_on_commit: InsertOnCommit) -> None:
        self._session = session
        self._insert_on_commit = insert_on_commit

    async def add(self, refund: Refund) -> None:
        """Written at commit, with the outbox rows, in one statement."""
        self._insert_on_commit(refunds, refund_row(refund))

    async def get(self, merchant_id: str, refund_id: str) -> Refund | None:
        query = select(refunds).where(
            refunds.c.id == refund_id, refunds.c.merchant_id == merchant_id
        )
        row = (await (await self._session.connection()).execute(query)).mappings().first()
        return refund_from_row(row) if row else None

    async def for_payment(self, merchant_id: str, payment_id: str) -> list[Refund]:
        query = (
            select(refunds)
            .where(refunds.c.payment_id == payment_id, refunds.c.merchant_id == merchant_id)
            .order_by(refunds.c.created_at.desc(), refunds.c.id.desc())
        )
        result = await (await self._session.connection()).execute(query)
        return [refund_from_row(row) for row in result.mappings()]

    async def refunded(self, payment_id: str) -> int:
        """The sum of the payment's refunds that did not fail (pending ones are reserved)."""
        query = select(func.coalesce(func.sum(refunds.c.amount), 0)).where(
            refunds.c.payment_id == payment_id, refunds.c.status != "failed"
        )
        return int((await (await self._session.connection()).execute(query)).scalar_one())

    async def apply(self, snapshots: Sequence[RefundSnapshot]) -> None:
        """Upsert each refund snapshot unless the row is already at a newer state."""
        if not snapshots:
            return
        statement = insert(refunds)
        statement = statement.on_conflict_do_update(
            index_elements=[refunds.c.id],
            set_={name: statement.excluded[name] for name in SNAPSHOT_COLUMNS},
            # Newer wins; a final status is never taken back by a late `pending`.
            where=(refunds.c.updated_at <= statement.excluded.updated_at)
            & ((refunds.c.status == "pending") | (statement.excluded.status != "pending")),
        )
        connection = await self._session.connection()
        await connection.execute(statement, [snapshot_row(s) for s in snapshots])
        await notify_changed(connection, [s.refund_id for s in snapshots])
