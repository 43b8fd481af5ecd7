"""Stripe's settlement report: the itemized balance report
(https://docs.stripe.com/reports/balance and
https://docs.stripe.com/reports/report-types/balance): one line per balance transaction,
amounts in the currency's major units as decimal strings, `reporting_category` `charge`
(a charge or a capture: positive gross) or `refund` (negative gross). Fees come from the
provider's list price (payroute_common.fees) on the day the money moved, so they match what
Payroute expects; Stripe returns no fees on refunds, so a refund's fee is 0. Stripe's
disputes add `dispute` (withdrawn, with the dispute fee) and `dispute_reversal`
(reinstated) lines from its balance transactions. Money becomes available `PAYOUT_DELAY`
after it moved. Authorizations and voids move no money: no line.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from provider_simulator.ledger import Movement
from provider_simulator.settlements.common import (
    PAYOUT_DELAY,
    major,
    provider_fee,
    stable_id,
)

COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "available_on_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "payment_id",
    "provider",
)
_TIMESTAMP = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class SettlementLine:
    balance_transaction_id: str
    created: datetime
    currency: str
    gross: int
    fee: int
    reporting_category: str
    source_id: str
    payment_id: str | None
    provider: str

    def row(self) -> dict[str, str]:
        return {
            "balance_transaction_id": self.balance_transaction_id,
            "created_utc": self.created.strftime(_TIMESTAMP),
            "available_on_utc": (self.created + PAYOUT_DELAY).strftime(_TIMESTAMP),
            "currency": self.currency.lower(),
            "gross": major(self.gross, self.currency),
            "fee": major(self.fee, self.currency),
            "net": major(self.gross - self.fee, self.currency),
            "reporting_category": self.reporting_category,
            "source_id": self.source_id,
            "payment_id": self.payment_id or "",
            "provider": self.provider,
        }


def settlement_lines(
    entries: Iterable[tuple[int, Movement]], adjustments: Iterable[SettlementLine] = ()
) -> list[SettlementLine]:
    """Lines for settling movements, each with its position in the ledger (which names its
    balance transaction unless the provider named it), as `Ledger.settling` gives them.
    `adjustments` are money moves outside the ledger's kinds (Stripe's dispute
    withdrawals and reinstatements); they follow the ledger's lines."""
    lines = [_line(position, movement) for position, movement in entries]
    lines.extend(adjustments)
    return lines


def to_csv(lines: Iterable[SettlementLine]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(line.row() for line in lines)
    return out.getvalue()


def _line(position: int, movement: Movement) -> SettlementLine:
    refund = movement.kind == "refund"
    return SettlementLine(
        balance_transaction_id=_transaction_id(position, movement),
        created=movement.at,
        currency=movement.currency,
        gross=-movement.amount if refund else movement.amount,
        fee=provider_fee(movement),
        reporting_category="refund" if refund else "charge",
        source_id=movement.reference,
        payment_id=movement.payment_id,
        provider=movement.provider,
    )


def _transaction_id(position: int, movement: Movement) -> str:
    """The provider's own id, else `txn_` + 24 hex digits, stable until a reset."""
    if movement.transaction_id is not None:
        return movement.transaction_id
    return stable_id("txn_", position, movement.provider, movement.reference, movement.kind)
