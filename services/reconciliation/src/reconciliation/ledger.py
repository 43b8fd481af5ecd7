"""The ledger view of one payment, built from event-carried snapshots. Pure: no I/O.

This is the payment's latest state; the money it moved is in movements.py.

Rules (the SQL upsert in store.py applies the same ones against stored rows):
- a snapshot replaces the entry only when its version is newer; replays and
  stale deliveries change nothing;
- `captured_at` is set when a snapshot first shows the payment `captured`
  (that snapshot's `updated_at`) and is never changed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from payroute_common.messages import PaymentSnapshot


@dataclass(frozen=True)
class LedgerEntry:
    payment_id: str
    merchant_id: str
    provider: str | None
    provider_reference: str | None
    status: str
    amount: int
    amount_captured: int
    amount_refunded: int
    currency: str
    version: int
    created_at: datetime
    updated_at: datetime
    captured_at: datetime | None


def _captured_at(snapshot: PaymentSnapshot) -> datetime | None:
    return snapshot.updated_at if snapshot.status == "captured" else None


def apply(entry: LedgerEntry | None, snapshot: PaymentSnapshot) -> LedgerEntry:
    """The entry after `snapshot`: unchanged unless the snapshot is newer."""
    if entry is not None and snapshot.version <= entry.version:
        return entry
    earlier_capture = entry.captured_at if entry is not None else None
    return LedgerEntry(
        payment_id=snapshot.payment_id,
        merchant_id=snapshot.merchant_id,
        provider=snapshot.provider,
        provider_reference=snapshot.provider_reference,
        status=snapshot.status,
        amount=snapshot.amount,
        amount_captured=snapshot.amount_captured,
        amount_refunded=snapshot.amount_refunded,
        currency=snapshot.currency,
        version=snapshot.version,
        created_at=snapshot.created_at,
        updated_at=snapshot.updated_at,
        captured_at=earlier_capture or _captured_at(snapshot),
    )


def ledger_entries_of(snapshots: Iterable[PaymentSnapshot]) -> list[LedgerEntry]:
    """One entry per payment from a batch of snapshots, oldest version applied first."""
    entries: dict[str, LedgerEntry] = {}
    for snapshot in sorted(snapshots, key=lambda s: s.version):
        entries[snapshot.payment_id] = apply(entries.get(snapshot.payment_id), snapshot)
    return list(entries.values())
