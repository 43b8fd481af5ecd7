"""PayMongo's settlement report: the dashboard's payments export (Payments → Export
Payments, https://www.paymongo.com/academy/exporting-payments, and
https://developers.paymongo.com/docs/payment-acceptance-payment-reconciliation).

PayMongo documents the export's date columns (`Created at`, `Paid at`, `Available at`,
`Updated at`) but not its full header; the other columns carry the Payment and Refund
resources' attributes (https://developers.paymongo.com/v1/reference/payment-source):
`ID` is the resource's id (`pay_…` for a payment, `ref_…` for a refund), `Payment Intent
ID` the intent Payroute holds as its provider reference, `Amount`, `Fee` and `Net Amount`
in major units (positive: `Type` says which way the money went), `Status` PayMongo's
(`paid` for a payment, `succeeded` for a refund), `Metadata` the resource's metadata as
JSON. Timestamps are ISO 8601 in UTC. Only money that moved is listed: failed payments,
authorizations, voids and refunds not (yet) succeeded have no line.
"""

import csv
import io
from collections.abc import Iterable

from provider_simulator.ledger import Movement
from provider_simulator.providers.paymongo.model import Payment, PaymentIntent, Refund
from provider_simulator.providers.paymongo.state import PaymongoState
from provider_simulator.settlements.common import (
    PAYOUT_DELAY,
    major,
    metadata_json,
    payment_metadata,
    provider_fee,
    stable_id,
)

COLUMNS = (
    "ID",
    "Type",
    "Payment Intent ID",
    "Payment ID",
    "Description",
    "Amount",
    "Fee",
    "Net Amount",
    "Currency",
    "Status",
    "Payment Method",
    "Created at",
    "Paid at",
    "Available at",
    "Updated at",
    "Metadata",
)
METHOD_TYPES = {"maya": "paymaya"}
"""Payroute's method names as PayMongo's payment method types."""


def paymongo_csv(entries: Iterable[tuple[int, Movement]], state: PaymongoState) -> str:
    """The export of PayMongo's settling movements (`Ledger.settling`), with their positions."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for position, movement in entries:
        if movement.kind == "refund":
            refund, payment = state.refund(movement.reference) or (None, None)
            writer.writerow(_refund_row(position, movement, refund, payment))
        else:
            intent = state.intents.peek(movement.reference)
            writer.writerow(_payment_row(position, movement, intent))
    return out.getvalue()


def _payment_row(position: int, movement: Movement, intent: PaymentIntent | None) -> dict[str, str]:
    paid = _paid_payment(intent)
    payment_id = paid.id if paid else stable_id("pay_", position, movement.reference)
    fee = provider_fee(movement)
    return _row(movement) | {
        "ID": payment_id,
        "Type": "payment",
        "Payment Intent ID": movement.reference,
        "Payment ID": payment_id,
        "Description": (intent.description if intent else None) or "",
        "Fee": major(fee, movement.currency),
        "Net Amount": major(movement.amount - fee, movement.currency),
        "Status": "paid",
        "Paid at": movement.at.isoformat(),
        "Available at": (movement.at + PAYOUT_DELAY).isoformat(),
        "Metadata": metadata_json(intent.metadata if intent else payment_metadata(movement)),
    }


def _refund_row(
    position: int, movement: Movement, refund: Refund | None, payment: Payment | None
) -> dict[str, str]:
    metadata = dict(refund.metadata) if refund else {}
    metadata.setdefault("payment_id", movement.payment_id or "")
    return _row(movement) | {
        "ID": movement.reference,
        "Type": "refund",
        "Payment Intent ID": payment.payment_intent_id if payment else "",
        "Payment ID": payment.id if payment else stable_id("pay_", position, "refunded"),
        "Description": "",
        "Fee": major(0, movement.currency),
        "Net Amount": major(movement.amount, movement.currency),
        "Status": refund.status if refund else "succeeded",
        "Paid at": "",
        "Available at": movement.at.isoformat(),
        "Metadata": metadata_json({k: v for k, v in metadata.items() if v}),
    }


def _row(movement: Movement) -> dict[str, str]:
    method = movement.method or ""
    return {
        "Amount": major(movement.amount, movement.currency),
        "Currency": movement.currency.upper(),
        "Payment Method": METHOD_TYPES.get(method, method),
        "Created at": movement.at.isoformat(),
        "Updated at": movement.at.isoformat(),
    }


def _paid_payment(intent: PaymentIntent | None) -> Payment | None:
    paid = [p for p in intent.payments if p.status == "paid"] if intent else []
    return paid[-1] if paid else None
