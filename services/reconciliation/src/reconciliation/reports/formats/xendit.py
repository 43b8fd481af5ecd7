"""Xendit's Transactions report, version 2
(https://docsv2.xendit.co/v1/docs/transactions-report): one line per transaction.

`Transaction ID` is the line's movement id. `Product ID` is the object the merchant
created: the payment request (`pr-…`) Payroute stores as the provider reference, or
the refund (`rfd-…`). The fee is what Xendit keeps: `Total Fee` plus `Total VAT`
when the report has it. Amounts are major-unit decimals read as magnitudes (`Type`
says which way); `Created Date` dates the line. Payroute's payment id comes from
the `Metadata` JSON when it is there.
"""

from collections.abc import Iterator
from dataclasses import dataclass

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

PROVIDER = "xendit"
KINDS: dict[str, LineKind] = {
    "PAYMENT": "charge",
    "IN_PERSON_PAYMENT": "charge",
    "REFUND": "refund",
    "DISBURSEMENT": "payout",
    "BATCH_DISBURSEMENT": "payout",
    "WITHDRAWAL": "payout",
}
STATUSES = {
    "SUCCESS": "succeeded",
    "SUCCEEDED": "succeeded",
    "SUCCESSFUL": "succeeded",
    "COMPLETED": "succeeded",
    "PARTIALLY_REFUNDED": "succeeded",
    "REFUNDED": "succeeded",
    "PENDING": "pending",
    "REFUND_PENDING": "pending",
    "FAILED": "failed",
}
"""Xendit's statuses in Payroute's words; a refunded payment's charge still moved money."""


@dataclass(frozen=True, slots=True)
class XenditTransactionsReport:
    required_columns: frozenset[str] = frozenset(
        {
            "Transaction ID",
            "Product ID",
            "Type",
            "Status",
            "Currency",
            "Amount",
            "Total Fee",
            "Created Date",
        }
    )

    def parse(self, rows: Iterator[Row]) -> Iterator[ReportLine | LineError]:
        for line_no, row in rows:
            yield column_count_error(line_no, row) or _line(line_no, row)


def _line(line_no: int, row: dict[str, str]) -> ReportLine | LineError:
    try:
        currency = currency_code(row["Currency"])
        fee = abs(minor_units(row["Total Fee"] or "0", currency, column="Total Fee"))
        vat = abs(minor_units(row.get("Total VAT") or "0", currency, column="Total VAT"))
        status = row["Status"].strip().upper()
        return ReportLine(
            line_no=line_no,
            provider=PROVIDER,
            movement_id=required(row, "Transaction ID"),
            reference=required(row, "Product ID"),
            kind=KINDS.get(row["Type"].strip().upper(), "other"),
            amount=abs(minor_units(row["Amount"], currency, column="Amount")),
            fee=fee + vat,
            currency=currency,
            occurred_at=utc_timestamp(row["Created Date"], column="Created Date"),
            status=STATUSES.get(status, status.lower() or None),
            payment_id=payment_id_in_metadata(row.get("Metadata")),
        )
    except CellError as error:
        return LineError(line_no, str(error))


XENDIT = XenditTransactionsReport()
