"""The settlement report: the ledger's settling movements as the provider would report them.

Modelled on Stripe's balance report, itemized (https://docs.stripe.com/reports/balance and
https://docs.stripe.com/reports/report-types/balance): one line per balance transaction,
amounts in the currency's major units as decimal strings, `reporting_category` `charge`
(a charge or a capture: positive gross) or `refund` (negative gross). Fees come from the
provider's list price (payroute_common.fees) on the day the money moved, so they match what
Payroute expects; Stripe returns no fees on refunds, so a refund's fee is 0. Stripe's
disputes add `dispute` (withdrawn, with the dispute fee) and `dispute_reversal`
(reinstated) lines from its balance transactions. Money becomes
available `PAYOUT_DELAY` after it moved. Authorizations and voids move no money: no line.
"""

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from payroute_common.fees import NoFeeScheduleError, fees_for
from payroute_common.money import UnknownCurrencyError, currency_exponent
from provider_simulator.ledger import Movement

PAYOUT_DELAY = timedelta(days=2)
STRIPE_DEFAULT_EXPONENT = 2
CATEGORIES = {"charge": "charge", "capture": "charge", "refund": "refund"}
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
        exponent = _exponent(self.currency)
        return {
            "balance_transaction_id": self.balance_transaction_id,
            "created_utc": self.created.strftime(_TIMESTAMP),
            "available_on_utc": (self.created + PAYOUT_DELAY).strftime(_TIMESTAMP),
            "currency": self.currency.lower(),
            "gross": _major(self.gross, exponent),
            "fee": _major(self.fee, exponent),
            "net": _major(self.gross - self.fee, exponent),
            "reporting_category": self.reporting_category,
            "source_id": self.source_id,
            "payment_id": self.payment_id or "",
            "provider": self.provider,
        }


def settlement_lines(
    movements: Sequence[Movement],
    *,
    provider: str | None = None,
    on: date | None = None,
    adjustments: Sequence[SettlementLine] = (),
) -> list[SettlementLine]:
    """Lines for the whole ledger (`movements` in ledger order: a movement's position names
    its balance transaction unless the provider named it), kept to one provider and one
    UTC day when given. `adjustments` are money moves outside the ledger's kinds (Stripe's
    dispute withdrawals and reinstatements); they follow the ledger's lines."""
    lines = []
    for position, movement in enumerate(movements):
        category = CATEGORIES.get(movement.kind)
        if category is None:
            continue
        if provider is not None and movement.provider != provider:
            continue
        if on is not None and movement.at.date() != on:
            continue
        lines.append(_line(position, movement, category))
    lines.extend(
        line
        for line in adjustments
        if (provider is None or line.provider == provider)
        and (on is None or line.created.date() == on)
    )
    return lines


def to_csv(lines: Iterable[SettlementLine]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(line.row() for line in lines)
    return out.getvalue()


def _line(position: int, movement: Movement, category: str) -> SettlementLine:
    refund = category == "refund"
    return SettlementLine(
        balance_transaction_id=_transaction_id(position, movement),
        created=movement.at,
        currency=movement.currency,
        gross=-movement.amount if refund else movement.amount,
        fee=0 if refund else provider_fee(movement),
        reporting_category=category,
        source_id=movement.reference,
        payment_id=movement.payment_id,
        provider=movement.provider,
    )


def provider_fee(movement: Movement) -> int:
    """The provider's list price; a currency its schedule does not cover costs nothing."""
    try:
        fees = fees_for(
            movement.amount,
            movement.currency.upper(),
            provider=movement.provider,
            platform_fee_ppm=0,
            on=movement.at.date(),
            method=movement.method,
        )
    except NoFeeScheduleError:
        return 0
    return fees.provider_fee


def _transaction_id(position: int, movement: Movement) -> str:
    """The provider's own id, else stable for as long as the ledger is (until a reset):
    `txn_` + 24 hex digits."""
    if movement.transaction_id is not None:
        return movement.transaction_id
    seed = f"{position}:{movement.provider}:{movement.reference}:{movement.kind}"
    return "txn_" + hashlib.sha256(seed.encode()).hexdigest()[:24]


def _exponent(currency: str) -> int:
    """The ISO 4217 exponent; Stripe's two decimals for a currency Payroute does not list."""
    try:
        return currency_exponent(currency)
    except UnknownCurrencyError:
        return STRIPE_DEFAULT_EXPONENT


def _major(minor: int, exponent: int) -> str:
    return str(Decimal(minor).scaleb(-exponent))
