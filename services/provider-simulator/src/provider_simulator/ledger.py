"""The simulator's own record of money moved: the witness for "never charge twice".

Kept in the history file (storage/database.py), not in memory: tests and soak runs
compare the whole ledger with Payroute's books after 100,000+ payments, so no movement
may be forgotten, while a long run must not grow the process. Indexed by Payroute's
payment id (`GET /_sim/ledger?payment_id=…`) and by UTC day and provider (settlement
reports); a movement's position in the ledger (its row number, from 0, counted again
after a reset) names it in the settlement reports. Movements are written a batch at a
time (and before any read), so a request's movements cost it no write of their own.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal, cast

from provider_simulator.storage.database import HistoryDb, Row

MovementKind = Literal["charge", "authorization", "capture", "refund", "void"]
PAGE_ROWS = 5_000
WRITE_BATCH = 256

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    payment_id TEXT,
    method TEXT,
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    transaction_id TEXT
);
CREATE INDEX IF NOT EXISTS ledger_by_payment ON ledger (payment_id) WHERE payment_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ledger_by_day ON ledger (day, provider);
"""
_INSERT = """INSERT INTO ledger
(provider, reference, kind, amount, currency, payment_id, method, at, transaction_id, day)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_SELECT = """SELECT seq, provider, reference, kind, amount, currency, payment_id, method, at,
transaction_id FROM ledger """
_OF_PAYMENT = _SELECT + "WHERE payment_id = ?1 AND (?2 IS NULL OR provider = ?2) ORDER BY seq"
_PAGE = (
    _SELECT + "WHERE seq > ?1 AND seq <= ?2 AND (?3 IS NULL OR provider = ?3) ORDER BY seq LIMIT ?4"
)
_SETTLING = (
    _SELECT + "WHERE kind IN ('charge', 'capture', 'refund') AND (?1 IS NULL OR provider = ?1) "
    "ORDER BY seq"
)
_SETTLING_ON = (
    _SELECT + "WHERE day = ?2 AND kind IN ('charge', 'capture', 'refund') "
    "AND (?1 IS NULL OR provider = ?1) ORDER BY seq"
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement. `method` (card, gcash, maya, …) picks the provider's fee schedule in
    the settlement report; `at` is when it happened (UTC); `transaction_id` is the
    provider's own balance transaction for it, where it shows one (Stripe's `txn_…`),
    used by the settlement report and not part of `GET /_sim/ledger`."""

    provider: str
    reference: str
    kind: MovementKind
    amount: int
    currency: str
    payment_id: str | None
    method: str | None = None
    at: datetime = field(default_factory=_utcnow)
    transaction_id: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "reference": self.reference,
            "kind": self.kind,
            "amount": self.amount,
            "currency": self.currency,
            "payment_id": self.payment_id,
            "method": self.method,
            "at": self.at.isoformat(),
        }


class Ledger:
    """Append-only list of movements, in the order they happened."""

    def __init__(self, db: HistoryDb) -> None:
        self._db = db
        self._unwritten: list[tuple[object, ...]] = []
        db.define(_SCHEMA)

    def extend(self, movements: Iterable[Movement]) -> None:
        """Record movements; they are written a batch at a time (and before any read)."""
        self._unwritten.extend(_row(m) for m in movements)
        if len(self._unwritten) >= WRITE_BATCH:
            self._write()

    def movements(
        self, *, payment_id: str | None = None, provider: str | None = None
    ) -> list[Movement]:
        self._write()
        if payment_id is not None:
            return [_movement(row) for row in self._db.all(_OF_PAYMENT, (payment_id, provider))]
        return [m for page in self.pages(provider=provider) for m in page]

    def pages(self, *, provider: str | None = None) -> Iterator[list[Movement]]:
        """The movements as they are now, `PAGE_ROWS` at a time: movements made while a
        caller works through the pages are not among them."""
        self._write()
        last = self._db.one("SELECT max(seq) FROM ledger")
        after, end = 0, (last[0] if last and last[0] is not None else 0)
        while after < end:
            rows = self._db.all(_PAGE, (after, end, provider, PAGE_ROWS))
            if not rows:
                return
            yield [_movement(row) for row in rows]
            after = rows[-1][0]

    def settling(
        self, *, provider: str | None = None, on: date | None = None
    ) -> list[tuple[int, Movement]]:
        """The movements that move money (charges, captures, refunds), each with its
        position in the ledger, kept to one provider and one UTC day when given."""
        self._write()
        if on is None:
            rows = self._db.all(_SETTLING, (provider,))
        else:
            rows = self._db.all(_SETTLING_ON, (provider, on.isoformat()))
        return [(int(row[0]) - 1, _movement(row)) for row in rows]

    def clear(self) -> None:
        self._unwritten.clear()
        self._db.write("DELETE FROM ledger")

    def _write(self) -> None:
        if self._unwritten:
            self._db.write_many(_INSERT, self._unwritten)
            self._unwritten = []


def _row(movement: Movement) -> tuple[object, ...]:
    at = movement.at.isoformat()
    return (
        movement.provider,
        movement.reference,
        movement.kind,
        movement.amount,
        movement.currency,
        movement.payment_id,
        movement.method,
        at,
        movement.transaction_id,
        at[:10],  # the day of `at`, in its own time zone, as `at.date()`
    )


def _movement(row: Row) -> Movement:
    _, provider, reference, kind, amount, currency, payment_id, method, at, txn = row
    return Movement(
        provider,
        reference,
        cast(MovementKind, kind),
        amount,
        currency,
        payment_id,
        method,
        datetime.fromisoformat(at),
        txn,
    )
