"""Calling providers for commands, and recording what they answered."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from sqlalchemy.dialects.postgresql import insert

from payroute_common.envelope import Envelope, Message
from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderError,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    RefundCharge,
    VoidAuthorization,
)
from payroute_common.messages.provider_results import ProviderOperation
from payroute_common.topics import PROVIDER_RESULTS
from payroute_common.uow import UnitOfWork
from provider_worker.adapters.base import OperationResult, ProviderAdapter, ProviderFailure
from provider_worker.tables import attempt_log

PRODUCER = "provider-worker"

AttemptResult = ProviderAttemptSucceeded | ProviderAttemptFailed
OperationCommand = CaptureAuthorization | VoidAuthorization | RefundCharge
OperationAnswer = ProviderOperationSucceeded | ProviderOperationFailed
Result = AttemptResult | OperationAnswer

OPERATIONS: dict[type[Message], ProviderOperation] = {
    CaptureAuthorization: "capture",
    VoidAuthorization: "void",
    RefundCharge: "refund",
}


@dataclass(frozen=True)
class Providers:
    """The adapters, each behind its own concurrency limit."""

    adapters: dict[str, ProviderAdapter]
    limits: dict[str, asyncio.Semaphore]

    @classmethod
    def build(cls, adapters: dict[str, ProviderAdapter], concurrency: int) -> Providers:
        return cls(adapters, {name: asyncio.Semaphore(concurrency) for name in adapters})


def handles(message: Message) -> bool:
    """Whether this worker answers `message` (a command on provider.commands)."""
    return isinstance(message, AuthorizePayment) or type(message) in OPERATIONS


async def call(command: Message, providers: Providers) -> Result:
    """Send one command to its provider; the answer as a result event, failures included."""
    if isinstance(command, AuthorizePayment):
        return await authorize(command, providers)
    if isinstance(command, CaptureAuthorization | VoidAuthorization | RefundCharge):
        return await operate(command, providers)
    raise TypeError(f"provider-worker does not handle {command.event_type}")


async def authorize(command: AuthorizePayment, providers: Providers) -> AttemptResult:
    """Ask the provider; the answer as a result event, failures included."""
    adapter = providers.adapters.get(command.provider)
    if adapter is None:
        return _failed(command, _not_configured(command.provider), None, 0)
    started = time.perf_counter()
    async with providers.limits[command.provider]:
        try:
            answer = await adapter.authorize(command)
        except ProviderFailure as failure:
            latency = _ms_since(started)
            return _failed(command, failure.error, failure.provider_reference, latency)
    return ProviderAttemptSucceeded(
        payment_id=command.payment_id,
        attempt_id=command.attempt_id,
        provider=command.provider,
        provider_reference=answer.provider_reference,
        outcome=answer.outcome,
        amount=answer.amount,
        currency=answer.currency,
        latency_ms=_ms_since(started),
        redirect_url=answer.redirect_url,
    )


async def operate(command: OperationCommand, providers: Providers) -> OperationAnswer:
    """Capture, void or refund at the provider. A timeout answers failed with category
    `timeout`: the outcome is unknown, and sending the same command again is safe."""
    operation = OPERATIONS[type(command)]
    adapter = providers.adapters.get(command.provider)
    if adapter is None:
        return _operation_failed(command, operation, _not_configured(command.provider), 0)
    started = time.perf_counter()
    async with providers.limits[command.provider]:
        try:
            answer = await _perform(adapter, command)
        except ProviderFailure as failure:
            return _operation_failed(command, operation, failure.error, _ms_since(started))
    return ProviderOperationSucceeded(
        payment_id=command.payment_id,
        operation_id=command.operation_id,
        operation=operation,
        provider=command.provider,
        provider_reference=answer.provider_reference,
        amount=answer.amount,
        currency=answer.currency,
        latency_ms=_ms_since(started),
    )


async def _perform(adapter: ProviderAdapter, command: OperationCommand) -> OperationResult:
    if isinstance(command, CaptureAuthorization):
        return await adapter.capture(command)
    if isinstance(command, VoidAuthorization):
        return await adapter.void(command)
    return await adapter.refund(command)


def _not_configured(provider: str) -> ProviderError:
    return ProviderError(
        category="invalid_request",
        code="provider_not_configured",
        message=f"provider {provider!r} is not configured on this worker",
    )


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _failed(
    command: AuthorizePayment, error: ProviderError, reference: str | None, latency_ms: int
) -> ProviderAttemptFailed:
    return ProviderAttemptFailed(
        payment_id=command.payment_id,
        attempt_id=command.attempt_id,
        provider=command.provider,
        provider_reference=reference,
        error=error,
        latency_ms=latency_ms,
    )


def _operation_failed(
    command: OperationCommand, operation: ProviderOperation, error: ProviderError, latency_ms: int
) -> ProviderOperationFailed:
    return ProviderOperationFailed(
        payment_id=command.payment_id,
        operation_id=command.operation_id,
        operation=operation,
        provider=command.provider,
        error=error,
        latency_ms=latency_ms,
    )


async def record(result: Result, cause: Envelope, *, uow: UnitOfWork) -> None:
    """Log the call and stage the result event, in the caller's transaction.

    The log keeps one row per attempt or operation: a command sent again (same
    attempt or operation id) replaces the row with the newer answer.
    """
    row = _log_row(result)
    statement = insert(attempt_log).values(**row)
    await uow.session.execute(
        statement.on_conflict_do_update(
            index_elements=[attempt_log.c.attempt_id, attempt_log.c.operation],
            set_={
                name: statement.excluded[name]
                for name in row
                if name not in ("attempt_id", "operation")
            },
        )
    )
    envelope = Envelope.wrap(
        result,
        producer=PRODUCER,
        tenant_id=cause.tenant_id,
        aggregate_id=result.payment_id,
        causation=cause,
    )
    uow.publish(PROVIDER_RESULTS, result.payment_id, envelope)


def _log_row(result: Result) -> dict[str, object]:
    row: dict[str, object] = {
        "payment_id": result.payment_id,
        "provider": result.provider,
        "latency_ms": result.latency_ms,
        "outcome": "failed",
        "provider_reference": None,
        "error": None,
        "amount": None,
        "currency": None,
    }
    if isinstance(result, ProviderAttemptSucceeded | ProviderAttemptFailed):
        row |= {"attempt_id": result.attempt_id, "operation": "authorize"}
        row["provider_reference"] = result.provider_reference
    else:
        row |= {"attempt_id": result.operation_id, "operation": result.operation}
    if isinstance(result, ProviderAttemptSucceeded | ProviderOperationSucceeded):
        row |= {
            "outcome": (
                result.outcome if isinstance(result, ProviderAttemptSucceeded) else "succeeded"
            ),
            "provider_reference": result.provider_reference,
            "amount": result.amount,
            "currency": result.currency,
        }
    else:
        row["error"] = result.error.model_dump(mode="json")
    return row
