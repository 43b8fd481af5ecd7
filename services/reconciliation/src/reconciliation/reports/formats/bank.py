"""A generic bank statement, for money that moves outside any provider (bank transfers,
cash and cheques banked): `date`, `amount`, `currency`, `reference`, `description`,
and an optional `id` when the bank numbers its lines.

`amount` is a signed major-unit decimal with a "." separator: money in (a payment)
is positive, money out (a refund) negative. `date` is ISO 8601 (`YYYY-MM-DD`, or a
timestamp; a bare date is midnight UTC). `reference` is what the payer quoted:
Payroute's payment id when they quoted it, which then also names the payment. A
statement has no movement ids of its own, so a line without `id` is named by a hash
of its cells: the same line twice is the same movement, a `duplicate`. Banks charge
no per-payment fee on a statement line: the fee is 0.
"""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reconciliation.reports.formats.base import (
    CellError,
    Row,
    column_count_error,
    currency_code,
    minor_units,
    utc_timestamp,
)
from reconciliation.reports.lines import LineError, ReportLine

PROVIDER = "bank"
PAYMENT_ID = re.compile(r"pay_[0-9a-z]{25}")
"""Payroute's payment ids (payroute_common.ids): `pay_` + 25 base-36 digits."""
_CELLS = ("date", "amount", "currency", "reference", "description")


@dataclass(frozen=True, slots=True)
class BankStatement:
    required_columns: frozenset[str] = frozenset({"date", "amount", "currency", "reference"})

    def parse(self, rows: Iterator[Row]) -> Iterator[ReportLine | LineError]:
        for line_no, row in rows:
            yield column_count_error(line_no, row) or _line(line_no, row)


def _line(line_no: int, row: dict[str, str]) -> ReportLine | LineError:
    try:
        currency = currency_code(row["currency"])
        signed = minor_units(row["amount"], currency, column="amount")
        reference = row["reference"].strip()
        return ReportLine(
            line_no=line_no,
            provider=PROVIDER,
            movement_id=(row.get("id") or "").strip() or _hashed_id(row),
            reference=reference,
            kind="refund" if signed < 0 else "charge",
            amount=abs(signed),
            fee=0,
            currency=currency,
            occurred_at=utc_timestamp(row["date"], column="date"),
            payment_id=reference if PAYMENT_ID.fullmatch(reference) else None,
        )
    except CellError as error:
        return LineError(line_no, str(error))


def _hashed_id(row: dict[str, str]) -> str:
    """`bank_` + 24 hex digits of the line's cells: stable across uploads of the file."""
    cells = "\x1f".join((row.get(cell) or "").strip() for cell in _CELLS)
    return "bank_" + hashlib.sha256(cells.encode()).hexdigest()[:24]


BANK = BankStatement()
