"""The provider-neutral shape every settlement-report parser produces.

Parsers for each provider's CSV turn rows into `ReportLine`s (or `LineError`s
for rows they cannot read); ingestion and matching only ever see this shape,
so adding a provider never touches the matching rules.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

LineKind = Literal["charge", "refund", "dispute", "dispute_reversal", "fee", "payout", "other"]


@dataclass(frozen=True, slots=True)
class ReportLine:
    line_no: int  # 1-based line number in the file (header is line 1)
    provider: str  # "stripe", "paymongo", "xendit", "bank"
    # The provider's id of THIS line's movement (balance txn id, transaction id);
    # unique per movement: the same id twice is a `duplicate`.
    movement_id: str
    # The provider's id of the object Payroute knows: the payment/charge reference
    # Payroute stored as provider_reference (Stripe PaymentIntent id pi_…, PayMongo
    # payment intent id, Xendit payment request id), or the refund's provider id for
    # refunds; for bank lines the statement reference (Payroute's payment id when
    # the payer quoted it).
    reference: str
    kind: LineKind
    amount: int  # gross magnitude in minor units (always >= 0); direction comes from kind
    fee: int  # provider fee in minor units (>= 0); 0 when the format has none
    currency: str  # ISO 4217, upper case
    occurred_at: datetime  # UTC
    status: str | None = (
        None  # provider's status when the format says (e.g. "succeeded", "failed", "pending")
    )
    payment_id: str | None = (
        None  # Payroute's payment id when the report carries it (metadata column)
    )


@dataclass(frozen=True, slots=True)
class LineError:
    line_no: int
    message: str


class HeaderError(ValueError):
    """The header lacks a required column (message names them), or the body is empty."""
