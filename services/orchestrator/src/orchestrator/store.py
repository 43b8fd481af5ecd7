"""Persistence of payment aggregates, and the orchestrator's unit of work.

A batch of messages is handled in one transaction: `PaymentRepository.load`
fetches (and row-locks) every payment the batch touches in one query, handlers
work on the in-memory aggregates, and `flush` writes the changed ones back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, Self

from pydantic import TypeAdapter
from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.domain import Attempt, Payment
from orchestrator.tables import payments
from payroute_common.messages import PaymentFailure, PaymentMethod
from payroute_common.uow import UnitOfWork, UnitOfWorkInterface

_attempts = TypeAdapter(list[Attempt])


def to_row(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.payment_id,
        "merchant_id": payment.merchant_id,
        "status": payment.status,
        "amount": payment.amount,
        "amount_capturable": payment.amount_capturable,
        "amount_captured": payment.amount_captured,
        "amount_refunded": payment.amount_refunded,
        "currency": payment.currency,
        "capture_method": payment.capture_method,
        "payment_method": payment.payment_method.model_dump(mode="json"),
        "description": payment.description,
        "metadata": payment.metadata,
        "provider_preference": payment.provider_preference,
        "provider": payment.provider,
        "provider_reference": payment.provider_reference,
        "failure": payment.failure.model_dump(mode="json") if payment.failure else None,
        "attempts": _attempts.dump_python(payment.attempts, mode="json"),
        "version": payment.version,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }


def from_row(row: Row[Any]) -> Payment:
    return Payment(
        payment_id=row.id,
        merchant_id=row.merchant_id,
        status=row.status,
        amount=row.amount,
        amount_capturable=row.amount_capturable,
        amount_captured=row.amount_captured,
        amount_refunded=row.amount_refunded,
        currency=row.currency,
        capture_method=row.capture_method,
        payment_method=PaymentMethod.model_validate(row.payment_method),
        description=row.description,
        metadata=row.metadata,
        provider_preference=row.provider_preference,
        provider=row.provider,
        provider_reference=row.provider_reference,
        failure=PaymentFailure.model_validate(row.failure) if row.failure else None,
        attempts=_attempts.validate_python(row.attempts),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class PaymentRepository(Protocol):
    async def load(self, payment_ids: Iterable[str]) -> None: ...
    def get(self, payment_id: str) -> Payment | None: ...
    def add(self, payment: Payment) -> None: ...


class HandlerUnitOfWork(UnitOfWorkInterface, Protocol):
    """What handlers need: the repository and a way to publish (via the outbox)."""

    @property
    def payments(self) -> PaymentRepository: ...


class SqlPaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._loaded: dict[str, Payment] = {}
        self._versions: dict[str, int] = {}
        self._new: dict[str, Payment] = {}

    async def load(self, payment_ids: Iterable[str]) -> None:
        wanted = set(payment_ids) - self._loaded.keys() - self._new.keys()
        if not wanted:
            return
        query = select(payments).where(payments.c.id.in_(wanted)).with_for_update()
        for row in await self._session.execute(query):
            self._loaded[row.id] = from_row(row)
            self._versions[row.id] = row.version

    def get(self, payment_id: str) -> Payment | None:
        return self._new.get(payment_id) or self._loaded.get(payment_id)

    def add(self, payment: Payment) -> None:
        self._new[payment.payment_id] = payment

    async def flush(self) -> None:
        if self._new:
            connection = await self._session.connection()
            await connection.execute(payments.insert(), [to_row(p) for p in self._new.values()])
        changed = [p for p in self._loaded.values() if p.version != self._versions[p.payment_id]]
        if changed:
            statement = (
                update(payments)
                .where(payments.c.id == bindparam("b_id"))
                .values({c.name: bindparam(c.name) for c in payments.columns if c.name != "id"})
            )
            rows = [{**to_row(p), "b_id": p.payment_id} for p in changed]
            for row in rows:
                row.pop("id")
            await (await self._session.connection()).execute(statement, rows)
        self._versions.update({p.payment_id: p.version for p in changed})
        self._loaded.update(self._new)
        self._versions.update({p.payment_id: p.version for p in self._new.values()})
        self._new = {}


class OrchestratorUnitOfWork(UnitOfWork):
    payments: SqlPaymentRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.payments = SqlPaymentRepository(self.session)
        return self

    async def commit(self) -> None:
        await self.payments.flush()
        await super().commit()
