"""The payments read model's rows.

Every statement is a single round trip: a new payment is one INSERT, a batch of
payment events one upsert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway_api.domain import Operation, Payment
from gateway_api.payments import pending_operations
from gateway_api.reads.changes import notify_changed
from gateway_api.tables import payments
from payroute_common.hot_reads import HotRead
from payroute_common.hot_writes import InsertOnCommit
from payroute_common.messages import PaymentFailure, PaymentMethod, PaymentSnapshot
from payroute_common.messages.values import AttemptSummary, DisputeSummary, Fees, NextAction

# What a payment event may change in the read model; the rest is the merchant's request.
SNAPSHOT_COLUMNS = (
    "status",
    "amount",
    "amount_capturable",
    "amount_captured",
    "amount_refunded",
    "provider",
    "provider_reference",
    "failure",
    "version",
    "updated_at",
    "fees",
    "attempts",
    "next_action",
    "verification_expires_at",
    "dispute",
)


def payment_row(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "merchant_id": payment.merchant_id,
        "status": payment.status,
        "amount": payment.amount,
        "amount_capturable": payment.amount_capturable,
        "amount_captured": payment.amount_captured,
        "amount_refunded": payment.amount_refunded,
        "currency": payment.currency,
        "capture_method": payment.capture_method,
        "payment_method": payment.payment_method.model_dump(mode="json"),
        "provider": payment.provider,
        "provider_reference": payment.provider_reference,
        "failure": payment.failure.model_dump(mode="json") if payment.failure else None,
        "order_id": payment.order_id,
        "customer_id": payment.customer_id,
        "description": payment.description,
        "metadata": payment.metadata,
        "return_url": payment.return_url,
        "version": payment.version,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
        "fees": payment.fees.model_dump(mode="json") if payment.fees else None,
        "attempts": [a.model_dump(mode="json") for a in payment.attempts],
        "next_action": payment.next_action.model_dump(mode="json") if payment.next_action else None,
        "verification_expires_at": payment.verification_expires_at,
        "pending_operation": payment.pending_operation,
        "dispute": payment.dispute.model_dump(mode="json") if payment.dispute else None,
    }


_PAYMENT = HotRead(
    select(payments).where(
        payments.c.id == bindparam("payment_id"),
        payments.c.merchant_id == bindparam("merchant_id"),
    )
)


def payment_from_row(row: Mapping[Any, Any]) -> Payment:
    return Payment(
        id=row["id"],
        merchant_id=row["merchant_id"],
        status=row["status"],
        amount=row["amount"],
        amount_capturable=row["amount_capturable"],
        amount_captured=row["amount_captured"],
        amount_refunded=row["amount_refunded"],
        currency=row["currency"],
        capture_method=row["capture_method"],
        payment_method=PaymentMethod.model_validate(row["payment_method"]),
        provider=row["provider"],
        provider_reference=row["provider_reference"],
        failure=PaymentFailure.model_validate(row["failure"]) if row["failure"] else None,
        order_id=row["order_id"],
        customer_id=row["customer_id"],
        description=row["description"],
        metadata=row["metadata"],
        return_url=row["return_url"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        fees=Fees.model_validate(row["fees"]) if row["fees"] else None,
        attempts=[AttemptSummary.model_validate(a) for a in row["attempts"] or []],
        next_action=NextAction.model_validate(row["next_action"]) if row["next_action"] else None,
        verification_expires_at=row["verification_expires_at"],
        pending_operation=row["pending_operation"],
        dispute=DisputeSummary.model_validate(row["dispute"]) if row["dispute"] else None,
    )


def snapshot_row(snapshot: PaymentSnapshot) -> dict[str, Any]:
    """A full row from an event: used as is only when the gateway never saw the payment."""
    return {
        "id": snapshot.payment_id,
        "merchant_id": snapshot.merchant_id,
        "status": snapshot.status,
        "amount": snapshot.amount,
        "amount_capturable": snapshot.amount_capturable,
        "amount_captured": snapshot.amount_captured,
        "amount_refunded": snapshot.amount_refunded,
        "currency": snapshot.currency,
        "capture_method": snapshot.capture_method,
        "payment_method": {"type": snapshot.payment_method_type, "token": None},
        "provider": snapshot.provider,
        "provider_reference": snapshot.provider_reference,
        "failure": snapshot.failure.model_dump(mode="json") if snapshot.failure else None,
        "order_id": None,
        "customer_id": None,
        "description": None,
        "metadata": {},
        "return_url": None,
        "version": snapshot.version,
        "created_at": snapshot.created_at,
        "updated_at": snapshot.updated_at,
        "fees": snapshot.fees.model_dump(mode="json") if snapshot.fees else None,
        "attempts": [a.model_dump(mode="json") for a in snapshot.attempts],
        "next_action": snapshot.next_action.model_dump(mode="json")
        if snapshot.next_action
        else None,
        "verification_expires_at": snapshot.verification_expires_at,
        "pending_operation": None,
        "dispute": snapshot.dispute.model_dump(mode="json") if snapshot.dispute else None,
    }


@dataclass(frozen=True)
class PaymentFilters:
    order_id: str | None = None
    customer_id: str | None = None
    status: str | None = None
    created_gte: datetime | None = None
    created_lte: datetime | None = None


class PaymentRepository(Protocol):
    async def add(self, payment: Payment) -> None: ...
    async def get(self, merchant_id: str, payment_id: str) -> Payment | None: ...
    async def get_for_update(self, merchant_id: str, payment_id: str) -> Payment | None: ...
    async def start_operation(self, payment_id: str, operation: Operation) -> None: ...
    async def list(
        self,
        merchant_id: str,
        filters: PaymentFilters,
        limit: int,
        starting_after: tuple[datetime, str] | None,
    ) -> list[Payment]: ...
    async def apply(
        self, snapshots: Sequence[PaymentSnapshot], answered: Sequence[str] = ()
    ) -> None: ...


class SqlPaymentRepository:
    def __init__(self, session: AsyncSession, insert_on_commit: InsertOnCommit) -> None:
        self._session = session
        self._insert_on_commit = insert_on_commit

    async def add(self, payment: Payment) -> None:
        """Written at commit, with the outbox rows, in one statement."""
        self._insert_on_commit(payments, payment_row(payment))

    async def get(self, merchant_id: str, payment_id: str) -> Payment | None:
        row = await _PAYMENT.one_or_none(
            self._session, payment_id=payment_id, merchant_id=merchant_id
        )
        return payment_from_row(row) if row else None

    async def get_for_update(self, merchant_id: str, payment_id: str) -> Payment | None:
        """The payment, its row locked until the transaction ends."""
        query = (
            select(payments)
            .where(payments.c.id == payment_id, payments.c.merchant_id == merchant_id)
            .with_for_update()
        )
        row = (await (await self._session.connection()).execute(query)).mappings().first()
        return payment_from_row(row) if row else None

    async def start_operation(self, payment_id: str, operation: Operation) -> None:
        statement = (
            update(payments).where(payments.c.id == payment_id).values(pending_operation=operation)
        )
        await (await self._session.connection()).execute(statement)

    async def list(
        self,
        merchant_id: str,
        filters: PaymentFilters,
        limit: int,
        starting_after: tuple[datetime, str] | None,
    ) -> list[Payment]:
        """Newest first; `limit` rows at most, after the (created_at, id) cursor."""
        t = payments
        query = select(t).where(t.c.merchant_id == merchant_id)
        if filters.order_id is not None:
            query = query.where(t.c.order_id == filters.order_id)
        if filters.customer_id is not None:
            query = query.where(t.c.customer_id == filters.customer_id)
        if filters.status is not None:
            query = query.where(t.c.status == filters.status)
        if filters.created_gte is not None:
            query = query.where(t.c.created_at >= filters.created_gte)
        if filters.created_lte is not None:
            query = query.where(t.c.created_at <= filters.created_lte)
        if starting_after is not None:
            query = query.where(tuple_(t.c.created_at, t.c.id) < tuple_(*starting_after))
        query = query.order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit)
        result = await (await self._session.connection()).execute(query)
        return [payment_from_row(row) for row in result.mappings()]

    async def apply(
        self, snapshots: Sequence[PaymentSnapshot], answered: Sequence[str] = ()
    ) -> None:
        """Upsert each snapshot where it is newer than the row (at most one per payment).

        The payments in `answered` have their operation in flight answered, whatever
        the version; otherwise a newer snapshot keeps it only while it can still be
        waiting (see `pending_operations`).
        """
        connection = await self._session.connection()
        if answered:
            await connection.execute(
                update(payments)
                .where(payments.c.id.in_(list(answered)))
                .values(pending_operation=None)
            )
            await notify_changed(connection, answered)
        if not snapshots:
            return
        statement = insert(payments)
        set_: dict[str, Any] = {name: statement.excluded[name] for name in SNAPSHOT_COLUMNS}
        set_["pending_operation"] = pending_operations.kept_after(statement.excluded.status)
        statement = statement.on_conflict_do_update(
            index_elements=[payments.c.id],
            set_=set_,
            where=payments.c.version < statement.excluded.version,
        )
        rows = [snapshot_row(s) for s in snapshots]
        await connection.execute(statement, rows)
        # Waiters re-read and decide: a status left pending/processing, an operation answered.
        await notify_changed(connection, [s.payment_id for s in snapshots])
