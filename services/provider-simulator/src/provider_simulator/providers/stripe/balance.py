"""The account's balance transactions: every charge, capture, refund and dispute movement
of money gets one (`txn_…`), with Stripe's fee and net
(https://docs.stripe.com/api/balance_transactions/object). The fee is the provider's list
price the settlement report uses, so the Charge, the report and `GET /v1/balance` agree.
"""

from dataclasses import replace
from datetime import UTC, date, datetime

from provider_simulator.ledger import Movement
from provider_simulator.providers.stripe.ids import new_id, now
from provider_simulator.providers.stripe.model import BalanceTransaction, PaymentIntent
from provider_simulator.providers.stripe.state import DISPUTE_CATEGORIES, StripeState
from provider_simulator.settlements import PAYOUT_DELAY, SettlementLine, provider_fee

JsonDict = dict[str, object]
DISPUTE_FEE = 1_500
"""Stripe's dispute fee in minor units of the charge's currency (US$15 in the US)."""


def book(state: StripeState, movement: Movement) -> Movement:
    """Record the balance transaction of a movement that moves money; the movement then
    names it (authorizations and voids move none and come back unchanged)."""
    if movement.kind not in ("charge", "capture", "refund"):
        return movement
    refund = movement.kind == "refund"
    txn = BalanceTransaction(
        id=new_id("txn"),
        amount=-movement.amount if refund else movement.amount,
        fee=0 if refund else provider_fee(movement),
        currency=movement.currency,
        type="refund" if refund else "charge",
        reporting_category="refund" if refund else "charge",
        source=movement.reference,
        created=int(movement.at.timestamp()),
        description="REFUND FOR CHARGE" if refund else None,
        payment_id=movement.payment_id,
    )
    state.record(txn)
    return replace(movement, transaction_id=txn.id)


def adjust(
    state: StripeState,
    *,
    amount: int,
    fee: int,
    currency: str,
    category: str,
    source: str,
    payment_id: str | None,
) -> BalanceTransaction:
    """Money moved outside charges and refunds: a dispute's withdrawal or reinstatement."""
    txn = BalanceTransaction(
        id=new_id("txn"),
        amount=amount,
        fee=fee,
        currency=currency,
        type="adjustment",
        reporting_category=category,
        source=source,
        created=now(),
        description="Chargeback withdrawal" if amount < 0 else "Chargeback reversal",
        payment_id=payment_id,
    )
    state.record(txn)
    return txn


def balance_transaction_json(txn: BalanceTransaction) -> JsonDict:
    available_on = txn.created + int(PAYOUT_DELAY.total_seconds())
    fee_details = []
    if txn.fee:
        fee_details = [
            {
                "amount": txn.fee,
                "application": None,
                "currency": txn.currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
    return {
        "id": txn.id,
        "object": "balance_transaction",
        "amount": txn.amount,
        "available_on": available_on,
        "balance_type": "payments",
        "created": txn.created,
        "currency": txn.currency,
        "description": txn.description,
        "exchange_rate": None,
        "fee": txn.fee,
        "fee_details": fee_details,
        "net": txn.net,
        "reporting_category": txn.reporting_category,
        "source": txn.source,
        "status": "available",
        "type": txn.type,
    }


def balance_json(state: StripeState) -> JsonDict:
    """GET /v1/balance: the net of every balance transaction, per currency (all of it
    available: the simulator settles at once)."""
    funds = [
        {"amount": amount, "currency": currency, "source_types": {"card": amount}}
        for currency, amount in sorted(state.balance.items())
    ]
    pending = [{**fund, "amount": 0, "source_types": {"card": 0}} for fund in funds]
    return {"object": "balance", "available": funds, "pending": pending, "livemode": False}


def dispute_lines(state: StripeState, *, on: date | None = None) -> list[SettlementLine]:
    """The settlement report's lines for disputes' money (see settlements.py), kept to one
    UTC day when given."""
    lines = [
        SettlementLine(
            balance_transaction_id=txn.id,
            created=datetime.fromtimestamp(txn.created, UTC),
            currency=txn.currency,
            gross=txn.amount,
            fee=txn.fee,
            reporting_category=txn.reporting_category,
            source_id=txn.source,
            payment_id=txn.payment_id,
            provider="stripe",
        )
        for txn in state.balance_transactions.find(DISPUTE_CATEGORIES, every=False)
    ]
    return [line for line in lines if on is None or line.created.date() == on]


def book_all(
    state: StripeState, intent: PaymentIntent, movements: tuple[Movement, ...]
) -> tuple[Movement, ...]:
    """`book` each movement; a charge's or capture's transaction becomes the Charge's."""
    booked = tuple(book(state, movement) for movement in movements)
    for movement in booked:
        if movement.kind in ("charge", "capture"):
            intent.balance_transaction = movement.transaction_id
    return booked
