"""Recording what providers answered: the attempt log row and the result event."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert

from payroute_common.envelope import Envelope
from payroute_common.messages import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
    ProviderOperationSucceeded,
    ProviderStatusReported,
)
from payroute_common.topics import PROVIDER_RESULTS
from payroute_common.uow import UnitOfWork
from provider_worker.handlers import Result
from provider_worker.tables import attempt_log

PRODUCER = "provider-worker"


async def record(result: Result, *, uow: UnitOfWork, envelope: Envelope) -> None:
    """Log the call and stage the result event answering the command in `envelope`, in
    the caller's transaction.

    The log keeps one row per attempt, operation or attempt's status query: a
    command sent again (same attempt or operation id) replaces the row with the
    newer answer.
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
    answer = Envelope.wrap(
        result,
        producer=PRODUCER,
        tenant_id=envelope.tenant_id,
        aggregate_id=result.payment_id,
        causation=envelope,
    )
    uow.publish(PROVIDER_RESULTS, result.payment_id, answer)


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
    if isinstance(result, ProviderStatusReported):
        return row | _status_row(result)
    if isinstance(result, ProviderAttemptSucceeded | ProviderAttemptFailed):
        row |= {"attempt_id": result.attempt_id, "operation": "authorize"}
        row["provider_reference"] = result.provider_reference
    else:
        row |= {"attempt_id": result.operation_id, "operation": result.operation}
    if isinstance(result, ProviderAttemptSucceeded | ProviderOperationSucceeded):
        row |= {
            "outcome": result.outcome,
            "provider_reference": result.provider_reference,
            "amount": result.amount,
            "currency": result.currency,
        }
    else:
        row["error"] = result.error.model_dump(mode="json")
    return row


def _status_row(result: ProviderStatusReported) -> dict[str, object]:
    return {
        "attempt_id": result.attempt_id,
        "operation": "status",
        "outcome": result.outcome,
        "provider_reference": result.provider_reference,
        "amount": result.amount,
        "currency": result.currency,
        "error": None if result.error is None else result.error.model_dump(mode="json"),
    }
