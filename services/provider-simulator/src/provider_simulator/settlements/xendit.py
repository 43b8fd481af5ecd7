"""Xendit's settlement report: the Transactions report, version 2
(https://docsv2.xendit.co/v1/docs/transactions-report, with the report versions in
https://docs.xendit.co/apidocs/generate-report and the Transaction object's fields in
https://docs.xendit.co/apidocs/transactionstransaction-id).

Documented columns kept: `Status` (SUCCESS, PENDING, FAILED), `Type` (PAYMENT, REFUND,
…), `Channel`, `Channel Name`, `Account Number`, `Currency`, `Amount`, `Total Fee`,
`Total VAT`, `Net Amount`, `Settlement Status`, `Estimated Settlement Time`, and the
transaction's custom metadata. Assumed where the page names no header: `Transaction ID`
(the ledger transaction, `txn_…`), `Product ID` (the object the merchant created: the
payment request `pr-…` for a payment, the refund `rfd-…` for a refund), `Reference` (the
merchant's `reference_id`), `Cashflow` (MONEY_IN, MONEY_OUT), `Created Date`. Amounts in
major units, positive (`Cashflow` says which way); `Total VAT` 0 because the list price
Payroute computes is VAT-inclusive; timestamps ISO 8601 in UTC. The simulator settles at
once, so every line is `SETTLED`.
"""

import csv
import io
from collections.abc import Iterable

from provider_simulator.ledger import Movement
from provider_simulator.providers.xendit.state import XenditState
from provider_simulator.settlements.common import (
    PAYOUT_DELAY,
    major,
    metadata_json,
    payment_metadata,
    provider_fee,
    stable_id,
)

COLUMNS = (
    "Transaction ID",
    "Product ID",
    "Type",
    "Status",
    "Channel",
    "Channel Name",
    "Account Number",
    "Reference",
    "Currency",
    "Amount",
    "Total Fee",
    "Total VAT",
    "Net Amount",
    "Cashflow",
    "Settlement Status",
    "Created Date",
    "Estimated Settlement Time",
    "Metadata",
)
CHANNELS = {
    "card": ("CARDS", "CREDIT_CARD"),
    "gcash": ("EWALLET", "GCASH"),
    "maya": ("EWALLET", "PAYMAYA"),
}


def xendit_csv(entries: Iterable[tuple[int, Movement]], state: XenditState) -> str:
    """The report of Xendit's settling movements (`Ledger.settling`), with their positions."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for position, movement in entries:
        writer.writerow(_row(position, movement, state))
    return out.getvalue()


def _row(position: int, movement: Movement, state: XenditState) -> dict[str, str]:
    refund = movement.kind == "refund"
    fee = provider_fee(movement)
    channel, channel_name = CHANNELS.get(movement.method or "", ("OTHER", ""))
    if refund:
        found = state.refunds.peek(movement.reference)
        reference = found.reference_id if found else ""
        metadata = dict(found.metadata) if found else payment_metadata(movement)
    else:
        request = state.requests.peek(movement.reference)
        reference = request.reference_id if request else ""
        metadata = dict(request.metadata) if request else payment_metadata(movement)
    return {
        "Transaction ID": stable_id("txn_", position, movement.reference, movement.kind, length=32),
        "Product ID": movement.reference,
        "Type": "REFUND" if refund else "PAYMENT",
        "Status": "SUCCESS",
        "Channel": channel,
        "Channel Name": channel_name,
        "Account Number": "",
        "Reference": reference,
        "Currency": movement.currency.upper(),
        "Amount": major(movement.amount, movement.currency),
        "Total Fee": major(fee, movement.currency),
        "Total VAT": major(0, movement.currency),
        "Net Amount": major(movement.amount - fee, movement.currency),
        "Cashflow": "MONEY_OUT" if refund else "MONEY_IN",
        "Settlement Status": "SETTLED",
        "Created Date": movement.at.isoformat(),
        "Estimated Settlement Time": (movement.at + PAYOUT_DELAY).isoformat(),
        "Metadata": metadata_json(metadata),
    }
