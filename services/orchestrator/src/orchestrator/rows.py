"""Payment and refund aggregates to and from their table rows."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import Row

from orchestrator.domain import Attempt, Operation, Payment, Refund
from orchestrator.domain.attempts import Reversal
from payroute_common.messages import PaymentFailure, PaymentMethod
from payroute_common.messages.values import (
    DisputeSummary,
    Fees,
    NextAction,
    RoutingPreferences,
)

_attempts = TypeAdapter(list[Attempt])
_operation = TypeAdapter(Operation | None)
_reversals = TypeAdapter(list[Reversal])


def _dump(
    value: DisputeSummary | Fees | NextAction | PaymentFailure | None,
) -> dict[str, Any] | None:
    return value.model_dump(mode="json") if value is not None else None


def payment_row(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.payment_id,
        "merchant_id": payment.merchant_id,
        "status": payment.status,
        "amount": payment.amount,
        "amount_capturable": payment.amount_capturable,
        "amount_captured": payment.amount_captured,
        "amount_refunded": payment.amount_refunded,
        "amount_refund_pending": payment.amount_refund_pending,
        "currency": payment.currency,
        "capture_method": payment.capture_method,
        "payment_method": payment.payment_method.model_dump(mode="json"),
        "description": payment.description,
        "metadata": payment.metadata,
        "provider_preference": payment.provider_preference,
        "return_url": payment.return_url,
        "platform_fee_ppm": payment.platform_fee_ppm,
        "routing": payment.routing.model_dump(mode="json"),
        "provider": payment.provider,
        "provider_reference": payment.provider_reference,
        "failure": _dump(payment.failure),
        "fees": _dump(payment.fees),
        "next_action": _dump(payment.next_action),
        "verification_expires_at": payment.verification_expires_at,
        "attempts": _attempts.dump_python(payment.attempts, mode="json"),
        "operation": _operation.dump_python(payment.operation, mode="json"),
        "dispute": _dump(payment.dispute),
        "late_successes": _reversals.dump_python(payment.reversals, mode="json"),
        "version": payment.version,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }


def payment_from(row: Row[Any]) -> Payment:
    return Payment(
        payment_id=row.id,
        merchant_id=row.merchant_id,
        status=row.status,
        amount=row.amount,
        amount_capturable=row.amount_capturable,
        amount_captured=row.amount_captured,
        amount_refunded=row.amount_refunded,
        amount_refund_pending=row.amount_refund_pending,
        currency=row.currency,
        capture_method=row.capture_method,
        payment_method=PaymentMethod.model_validate(row.payment_method),
        description=row.description,
        metadata=row.metadata,
        provider_preference=row.provider_preference,
        return_url=row.return_url,
        platform_fee_ppm=row.platform_fee_ppm,
        routing=RoutingPreferences.model_validate(row.routing),
        provider=row.provider,
        provider_reference=row.provider_reference,
        failure=PaymentFailure.model_validate(row.failure) if row.failure else None,
        fees=Fees.model_validate(row.fees) if row.fees else None,
        next_action=NextAction.model_validate(row.next_action) if row.next_action else None,
        verification_expires_at=row.verification_expires_at,
        attempts=_attempts.validate_python(row.attempts),
        operation=_operation.validate_python(row.operation),
        dispute=DisputeSummary.model_validate(row.dispute) if row.dispute else None,
        reversals=_reversals.validate_python(row.late_successes),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def refund_row(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.refund_id,
        "payment_id": refund.payment_id,
        "merchant_id": refund.merchant_id,
        "amount": refund.amount,
        "currency": refund.currency,
        "reason": refund.reason,
        "status": refund.status,
        "provider": refund.provider,
        "provider_reference": refund.provider_reference,
        "failure": _dump(refund.failure),
        "provider_answer": refund.answer,
        "created_at": refund.created_at,
        "updated_at": refund.updated_at,
    }


def refund_from(row: Row[Any]) -> Refund:
    return Refund(
        refund_id=row.id,
        payment_id=row.payment_id,
        merchant_id=row.merchant_id,
        amount=row.amount,
        currency=row.currency,
        reason=row.reason,
        status=row.status,
        provider=row.provider,
        provider_reference=row.provider_reference,
        failure=PaymentFailure.model_validate(row.failure) if row.failure else None,
        answer=row.provider_answer,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
