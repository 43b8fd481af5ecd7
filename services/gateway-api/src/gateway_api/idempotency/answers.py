"""The one way an answer is kept under an Idempotency-Key (rules in `idempotency`).

Only final answers are kept: a 2xx, or a 400/422 refusal of a request that
started executing. Every other refusal (403, 404, 409 such as
`payment_not_capturable` while the read model lags or
`payment_operation_in_progress`, 429, 5xx) is transient or about the caller,
not the request: the transaction that claimed the key rolls back with it, so
the key is free again and the same request, sent again, is evaluated afresh.
Validation at the door (before the key is claimed) is never stored either, as
with Stripe: the request can be corrected and sent under the same key.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from gateway_api.domain import Conflict, GatewayError
from gateway_api.edge.errors import refusal_answer
from gateway_api.idempotency.rules import IdempotentRequest, answer_again
from gateway_api.unit_of_work import HandlerUnitOfWork
from payroute_common.clock import utcnow

FINAL_REFUSALS = frozenset({400, 422})


def is_final(status_code: int) -> bool:
    """An answer the same request would get again: success, or a definite validation error."""
    return 200 <= status_code < 300 or status_code in FINAL_REFUSALS


async def claim(
    idempotency: IdempotentRequest | None, merchant_id: str, *, uow: HandlerUnitOfWork
) -> None:
    """Claim the key in this transaction, or raise the kept answer (Replay) or a 409."""
    if idempotency is None:
        return
    now = utcnow()
    if await uow.idempotency.insert(merchant_id, idempotency.key, idempotency.fingerprint, now):
        return
    stored = await uow.idempotency.get(merchant_id, idempotency.key)
    if stored is None:  # purged in between: as good as in flight, the client retries
        raise Conflict(
            "A request with this Idempotency-Key is still in progress; retry later.",
            code="idempotency_request_in_progress",
        )
    raise answer_again(stored, idempotency, now)


async def remember(
    idempotency: IdempotentRequest | None,
    merchant_id: str,
    status_code: int,
    body: dict[str, Any],
    *,
    uow: HandlerUnitOfWork,
    completed: bool | None = None,
) -> None:
    """Keep `body` as the key's answer, in the caller's transaction, if it is final.

    Not `completed` (the default when the request waits, `Prefer: wait`) while the
    answer is still held after the commit: a duplicate then gets
    `idempotency_request_in_progress`.
    """
    if idempotency is None or not is_final(status_code):
        return
    if completed is None:
        completed = not idempotency.waiting
    await uow.idempotency.store(
        merchant_id, idempotency.key, status_code, body, completed=completed
    )


@contextlib.asynccontextmanager
async def refusals_kept_if_final(
    idempotency: IdempotentRequest | None, merchant_id: str, *, uow: HandlerUnitOfWork
) -> AsyncIterator[None]:
    """Around the checks made after the claim: a final refusal is kept and committed;
    any other leaves the transaction uncommitted, so the claim is undone with it."""
    try:
        yield
    except GatewayError as refusal:
        status_code, body = refusal_answer(refusal)
        if idempotency is not None and is_final(status_code):
            await remember(idempotency, merchant_id, status_code, body, completed=True, uow=uow)
            await uow.commit()
        raise


async def remember_final_answer(
    idempotency: IdempotentRequest | None,
    merchant_id: str,
    status_code: int,
    body: dict[str, Any],
    *,
    uow: HandlerUnitOfWork,
) -> None:
    """After a `Prefer: wait`: the answer sent becomes the key's completed answer."""
    if idempotency is None or not idempotency.waiting:
        return
    await remember(idempotency, merchant_id, status_code, body, completed=True, uow=uow)
    await uow.commit()
