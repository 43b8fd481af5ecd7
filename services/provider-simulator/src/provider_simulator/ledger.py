"""The simulator's own record of money moved: the witness for "never charge twice"."""

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Literal

MovementKind = Literal["charge", "authorization", "capture", "refund", "void"]


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
        shown = asdict(self) | {"at": self.at.isoformat()}
        del shown["transaction_id"]
        return shown


class Ledger:
    """Append-only list of movements, in the order they happened."""

    def __init__(self) -> None:
        self._movements: list[Movement] = []

    def append(self, movement: Movement) -> None:
        self._movements.append(movement)

    def extend(self, movements: tuple[Movement, ...]) -> None:
        self._movements.extend(movements)

    def movements(
        self, *, payment_id: str | None = None, provider: str | None = None
    ) -> list[Movement]:
        return [
            m
            for m in self._movements
            if (payment_id is None or m.payment_id == payment_id)
            and (provider is None or m.provider == provider)
        ]

    def clear(self) -> None:
        self._movements.clear()
