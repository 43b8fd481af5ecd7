"""PayMongo's payments export (Payments → Export Payments,
https://www.paymongo.com/academy/exporting-payments): one line per payment or refund.

`ID` is the line's own resource (`pay_…`, `ref_…`): its movement id. A payment's
reference is its `Payment Intent ID`, the object Payroute stores as the provider
reference; a refund's is its own `ID`. Amounts are major-unit decimals, read as
magnitudes (`Type` says which way money went). `Paid at` dates a payment, else
`Created at`. Payroute's payment id comes from the `Metadata` JSON when it is there.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from reconciliation.reports.formats.base import (
    CellError,
    Row,
    column_count_error,
    currency_code,
    minor_units,
    payment_id_in_metadata,
    required,
    utc_timestamp,
)
from reconciliation.reports.lines import LineError, LineKind, ReportLine

PROVIDER = "paymongo"
KINDS: dict[str, LineKind] = {"payment": "charge", "refund": "refund", "payout": "payout"}
STATUSES = {
    "paid": "succeeded",
    "refunded": "succeeded",
    "partially_refunded": "succeeded",
    "succeeded": "succeeded",
    "pending": "pending",
    "failed": "failed",
}
"""PayMongo's statuses in Payroute's words; a refunded payment's charge still moved money."""


@dataclass(frozen=True, slots=True)
class PaymongoPaymentsExport:
    required_columns: frozenset[str] = frozenset(
        {"ID", "Type", "Payment Intent ID", "Amount", "Fee", "Currency", "Status", "Created at"}
    )

    def parse(self, rows: Iterator[Row]) -> Iterator[ReportLine | LineError]:
        for line_no, row in rows:
            yield column_count_error(line_no, row) or _line(line_no, row)


def _line(line_no: int, row: dict[str, str]) -> ReportLine | LineError:
    try:
        currency = currency_code(row["Currency"])
        kind = KINDS.get(row["Type"].strip().lower(), "other")
        movement_id = required(row, "ID")
        return ReportLine(
            line_no=line_no,
            provider=PROVIDER,
            movement_id=movement_id,
            reference=required(row, "Payment Intent ID") if kind == "charge" else movement_id,
            kind=kind,
            amount=abs(minor_units(row["Amount"], currency, column="Amount")),
            fee=abs(minor_units(row["Fee"] or "0", currency, column="Fee")),
            currency=currency,
            occurred_at=_occurred_at(row),
            status=_status(row["Status"]),
            payment_id=payment_id_in_metadata(row.get("Metadata")),
        )
    except CellError as error:
        return LineError(line_no, str(error))


def _occurred_at(row: dict[str, str]) -> datetime:
    paid_at = (row.get("Paid at") or "").strip()
    if paid_at:
        return utc_timestamp(paid_at, column="Paid at")
    return utc_timestamp(row["Created at"], column="Created at")


def _status(value: str) -> str | None:
    status = value.strip().lower()
    return STATUSES.get(status, status or None)


PAYMONGO = PaymongoPaymentsExport()
