"""What reconciliation does with the events it takes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from payroute_common.envelope import Message
from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked, PaymentEvent
from reconciliation.ledger import fold
from reconciliation.movements import movements_in
from reconciliation.settling import late_successes_in, refunds_in
from reconciliation.store import HandlerUnitOfWork

CONSUMER = "reconciliation"


async def record_payment_events(messages: Iterable[Message], *, uow: HandlerUnitOfWork) -> None:
    """Bring the ledger view up to date with a batch of payment events.

    One statement each: the payments' latest state, the money the events show moved,
    the refunds' statuses and the late successes with their reversals.
    """
    events = [m for m in messages if isinstance(m, PaymentEvent)]
    await uow.ledger.upsert(fold(e.payment for e in events))
    await uow.ledger.record(movements_in(events))
    await uow.settling.record_refunds(refunds_in(events))
    await uow.settling.record_late_successes(late_successes_in(events))


async def record_access_keys(messages: Iterable[Message], *, uow: HandlerUnitOfWork) -> None:
    """Keep reconciliation's copy of the API keys, in the order they were announced."""
    for message in messages:
        if isinstance(message, ApiKeyIssued):
            await uow.api_keys.issued(message)
        elif isinstance(message, ApiKeyRevoked):
            await uow.api_keys.revoked(message)


async def handle_batch(
    events: Sequence[tuple[uuid.UUID, Message]], *, uow: HandlerUnitOfWork
) -> None:
    """One transaction: the inbox marks, and the ledger and key changes of the events
    not seen before."""
    async with uow:
        fresh = await uow.claim(CONSUMER, (event_id for event_id, _ in events))
        new = [m for event_id, m in events if event_id in fresh]
        await record_payment_events(new, uow=uow)
        await record_access_keys(new, uow=uow)
        await uow.commit()
