"""Stripe's itemized balance report (https://docs.stripe.com/reports/report-types/balance).

One line per balance transaction; `gross` and `fee` are signed major-unit decimals in
the lower-case currency; `reporting_category` says what moved; `source_id` is the
object Payroute knows: the PaymentIntent (`pi_…`) for charges, the refund (`re_…`)
for refunds. A `refund_failure` line returns a refund's money: it reports that
refund as failed. Payroute's payment id rides in metadata when present.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from reconciliation.reports.formats.base import (
    CellError,
    Row,
    column_count_error,
    currency_code,
    minor_units,
    required,
    utc_timestamp,
)
from reconciliation.reports.lines import LineError, LineKind, ReportLine

PROVIDER = "stripe"
KINDS: dict[str, LineKind] = {
    "charge": "charge",
    "refund": "refund",
    "refund_failure": "refund",
    "dispute": "dispute",
    "dispute_reversal": "dispute_reversal",
    "fee": "fee",
    "payout": "payout",
}
STATUSES = {"refund_failure": "failed"}
PAYMENT_ID_COLUMNS = ("payment_id", "payment_metadata[payment_id]")


@dataclass(frozen=True, slots=True)
class StripeBalanceReport:
    required_columns: frozenset[str] = frozenset(
        {
            "balance_transaction_id",
            "created_utc",
            "currency",
            "gross",
            "fee",
            "reporting_category",
            "source_id",
        }
    )

    def parse(self, rows: Iterator[Row]) -> Iterator[ReportLine | LineError]:
        for line_no, row in rows:
            yield column_count_error(line_no, row) or _line(line_no, row)


def _line(line_no: int, row: dict[str, str]) -> ReportLine | LineError:
    try:
        currency = currency_code(row["currency"])
        category = row["reporting_category"].strip()
        return ReportLine(
            line_no=line_no,
            provider=PROVIDER,
            movement_id=required(row, "balance_transaction_id"),
            reference=required(row, "source_id"),
            kind=KINDS.get(category, "other"),
            amount=abs(minor_units(row["gross"], currency, column="gross")),
            fee=abs(minor_units(row["fee"], currency, column="fee")),
            currency=currency,
            occurred_at=utc_timestamp(row["created_utc"], column="created_utc"),
            status=STATUSES.get(category),
            payment_id=_payment_id(row),
        )
    except CellError as error:
        return LineError(line_no, str(error))


def _payment_id(row: dict[str, str]) -> str | None:
    for column in PAYMENT_ID_COLUMNS:
        value = (row.get(column) or "").strip()
        if value:
            return value
    return None


STRIPE = StripeBalanceReport()
