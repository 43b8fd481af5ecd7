"""Calling providers for commands, and recording what they answered."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from payroute_common.envelope import Envelope
from payroute_common.messages import (
    AuthorizePayment,
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderError,
)
from payroute_common.topics import PROVIDER_RESULTS
from payroute_common.uow import UnitOfWork
from provider_worker.adapters.base import ProviderAdapter, ProviderFailure
from provider_worker.tables import attempt_log

PRODUCER = "provider-worker"

AttemptResult = ProviderAttemptSucceeded | ProviderAttemptFailed


@dataclass(frozen=True)
class Providers:
    """The adapters, each behind its own concurrency limit."""

    adapters: dict[str, ProviderAdapter]
    limits: dict[str, asyncio.Semaphore]

    @classmethod
    def build(cls, adapters: dict[str, ProviderAdapter], concurrency: int) -> Providers:
        return cls(adapters, {name: asyncio.Semaphore(concurrency) for name in adapters})


async def authorize(command: AuthorizePayment, providers: Providers) -> AttemptResult:
    """Ask the provider; the answer as a result event, failures included."""
    adapter = providers.adapters.get(command.provider)
    if adapter is None:
        error = ProviderError(
            category="invalid_request",
            code="provider_not_configured",
            message=f"provider {command.provider!r} is not configured on this worker",
        )
        return _failed(command, error, None, 0)
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


async def record(
    result: AttemptResult,
    cause: Envelope,
    *,
    uow: UnitOfWork,
) -> None:
    """Log the attempt and stage the result event, in the caller's transaction."""
    outcome: str = result.outcome if isinstance(result, ProviderAttemptSucceeded) else "failed"
    error = (
        result.error.model_dump(mode="json") if isinstance(result, ProviderAttemptFailed) else None
    )
    await uow.session.execute(
        attempt_log.insert().values(
            attempt_id=result.attempt_id,
            operation="authorize",
            payment_id=result.payment_id,
            provider=result.provider,
            outcome=outcome,
            provider_reference=result.provider_reference,
            error=error,
            latency_ms=result.latency_ms,
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
