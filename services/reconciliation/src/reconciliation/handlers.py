"""What reconciliation does with the events it takes. The consumer (consumers.py) claims
them in the inbox and commits once per batch; handlers only write."""

from __future__ import annotations

from collections.abc import Sequence

from payroute_common.envelope import Envelope
from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked, PaymentEvent
from reconciliation.ledger import ledger_entries_of
from reconciliation.movements import movements_in
from reconciliation.settling import late_successes_in, refunds_in
from reconciliation.store import HandlerUnitOfWork

CONSUMER = "reconciliation"


async def record_payment_events(
    events: Sequence[PaymentEvent], *, uow: HandlerUnitOfWork, envelopes: Sequence[Envelope]
) -> None:
    """Bring the ledger view up to date with a batch of payment events.

    One statement each: the payments' latest state, the money the events show moved,
    the refunds' statuses and the late successes with their reversals.
    """
    await uow.ledger.upsert(ledger_entries_of(e.payment for e in events))
    await uow.ledger.record(movements_in(events))
    await uow.settling.record_refunds(refunds_in(events))
    await uow.settling.record_late_successes(late_successes_in(events))


async def record_key_issued(
    key: ApiKeyIssued, *, uow: HandlerUnitOfWork, envelope: Envelope
) -> None:
    """Keep reconciliation's copy of the API keys, in the order they were announced."""
    await uow.api_keys.issued(key)


async def record_key_revoked(
    key: ApiKeyRevoked, *, uow: HandlerUnitOfWork, envelope: Envelope
) -> None:
    await uow.api_keys.revoked(key)
