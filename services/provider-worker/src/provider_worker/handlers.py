"""Calling providers for commands; every answer, failures included, as a result event.

Each call goes through its provider's guard (guard.py). Authorizations and status
queries are refused at once while the provider's circuit is open, answered
`provider_unavailable`/`circuit_open` without calling it: the orchestrator
tries the next provider, or asks for the status again later. Captures, voids and
refunds are sent whatever the circuit says: they act on a payment that lives at
this provider, so there is nowhere else to send them, and holding them back
risks an authorization expiring; they still wait for the concurrency and rate
limits, and their answers count for the breaker like any other.
"""

from __future__ import annotations

import time

import structlog

from payroute_common.envelope import Message
from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderError,
    ProviderOperationFailed,
    ProviderOperationSucceeded,
    ProviderStatusReported,
    QueryProviderStatus,
    RefundCharge,
    VoidAuthorization,
)
from payroute_common.messages.provider_results import ProviderOperation
from provider_worker.adapters.base import (
    OperationResult,
    ProviderAdapter,
    ProviderFailure,
    ProviderStatus,
)
from provider_worker.guard import Providers
from provider_worker.unexpected import adapter_error, redacted, redacted_traceback

log = structlog.get_logger(__name__)

AttemptResult = ProviderAttemptSucceeded | ProviderAttemptFailed
OperationCommand = CaptureAuthorization | VoidAuthorization | RefundCharge
OperationAnswer = ProviderOperationSucceeded | ProviderOperationFailed
Result = AttemptResult | OperationAnswer | ProviderStatusReported

OPERATIONS: dict[type[Message], ProviderOperation] = {
    CaptureAuthorization: "capture",
    VoidAuthorization: "void",
    RefundCharge: "refund",
}


def handles(message: Message) -> bool:
    """Whether this worker answers `message` (a command on provider.commands)."""
    return (
        isinstance(message, AuthorizePayment | QueryProviderStatus) or type(message) in OPERATIONS
    )


async def call(command: Message, providers: Providers) -> Result:
    """Send one command to its provider; the answer as a result event, failures included.

    Never raises but for cancellation: an exception from the adapter (anything but
    ProviderFailure) is this command's undetermined answer (`timeout` /
    `adapter_error`), logged with its traceback, so it cannot fail the batch the
    command came in and have every other command in it sent again."""
    try:
        return await _send(command, providers)
    except Exception as error:
        log.error(
            "provider_call_raised",
            event_type=command.event_type,
            provider=getattr(command, "provider", None),
            payment_id=getattr(command, "payment_id", None),
            error=redacted(f"{type(error).__name__}: {error}"),
            traceback=redacted_traceback(error),
        )
        return undetermined(command, adapter_error(error))


async def _send(command: Message, providers: Providers) -> Result:
    if isinstance(command, AuthorizePayment):
        return await authorize(command, providers)
    if isinstance(command, CaptureAuthorization | VoidAuthorization | RefundCharge):
        return await operate(command, providers)
    if isinstance(command, QueryProviderStatus):
        return await query_status(command, providers)
    raise TypeError(f"provider-worker does not handle {command.event_type}")


async def authorize(command: AuthorizePayment, providers: Providers) -> AttemptResult:
    """Ask the provider; the answer as a result event, failures included."""
    guard = providers.get(command.provider)
    if guard is None:
        return _failed(command, _not_configured(command.provider), None, 0)
    started = time.perf_counter()
    adapter = guard.adapter
    try:
        answer = await guard.call("authorize", lambda: adapter.authorize(command))
    except ProviderFailure as failure:
        return _failed(command, failure.error, failure.provider_reference, _ms_since(started))
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
    guard = providers.get(command.provider)
    if guard is None:
        return _operation_failed(command, operation, _not_configured(command.provider), 0)
    started = time.perf_counter()
    adapter = guard.adapter
    try:
        answer = await guard.call(operation, lambda: _perform(adapter, command), refusable=False)
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
        outcome=answer.outcome,
    )


async def query_status(
    command: QueryProviderStatus, providers: Providers
) -> ProviderStatusReported:
    """The provider's truth about one attempt: its state, `not_found`, or `unknown`
    with the reason the provider could not be asked."""
    guard = providers.get(command.provider)
    if guard is None:
        return _unknown(command, _not_configured(command.provider), 0)
    started = time.perf_counter()
    adapter = guard.adapter
    try:
        status = await guard.call(
            "status",
            lambda: adapter.get_status(
                command.payment_id, command.attempt_id, command.provider_reference
            ),
        )
    except ProviderFailure as failure:
        return _unknown(command, failure.error, _ms_since(started))
    if status is None:
        return ProviderStatusReported(
            payment_id=command.payment_id,
            attempt_id=command.attempt_id,
            provider=command.provider,
            outcome="not_found",
            latency_ms=_ms_since(started),
        )
    return _reported(command, status, _ms_since(started))


async def _perform(adapter: ProviderAdapter, command: OperationCommand) -> OperationResult:
    if isinstance(command, CaptureAuthorization):
        return await adapter.capture(command)
    if isinstance(command, VoidAuthorization):
        return await adapter.void(command)
    return await adapter.refund(command)


def undetermined(command: Message, error: ProviderError) -> Result:
    """`command`'s failed answer carrying `error`, whatever kind of command it is."""
    if isinstance(command, AuthorizePayment):
        return _failed(command, error, None, 0)
    if isinstance(command, CaptureAuthorization | VoidAuthorization | RefundCharge):
        return _operation_failed(command, OPERATIONS[type(command)], error, 0)
    if isinstance(command, QueryProviderStatus):
        return _unknown(command, error, 0)
    raise TypeError(f"provider-worker does not handle {command.event_type}")


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


def _reported(
    command: QueryProviderStatus, status: ProviderStatus, latency_ms: int
) -> ProviderStatusReported:
    error = status.error
    if status.outcome == "failed" and error is None:
        error = ProviderError(
            category="hard_decline",
            code="payment_failed",
            message=f"{command.provider} reports the payment failed without a reason",
        )
    return ProviderStatusReported(
        payment_id=command.payment_id,
        attempt_id=command.attempt_id,
        provider=command.provider,
        outcome=status.outcome,
        provider_reference=status.provider_reference,
        amount=status.amount,
        currency=status.currency,
        amount_refunded=status.amount_refunded,
        error=error,
        latency_ms=latency_ms,
    )


def _unknown(
    command: QueryProviderStatus, error: ProviderError, latency_ms: int
) -> ProviderStatusReported:
    return ProviderStatusReported(
        payment_id=command.payment_id,
        attempt_id=command.attempt_id,
        provider=command.provider,
        outcome="unknown",
        error=error,
        latency_ms=latency_ms,
    )
