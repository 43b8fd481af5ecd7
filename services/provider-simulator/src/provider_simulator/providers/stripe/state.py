"""Everything the simulated Stripe account remembers, kept in the history file with the
most recently used objects live (storage/spill_map.py): a status query or a refund may
name any intent, charge or refund ever made. Intents are tagged by their metadata for
search, disputes by their intent, balance transactions of disputes by their category;
the balance is a running total per currency, so `GET /v1/balance` reads no history."""

from collections.abc import Iterable

from provider_simulator.config import Settings
from provider_simulator.idempotency import IdempotencyStore
from provider_simulator.providers.stripe import PROVIDER
from provider_simulator.providers.stripe.model import (
    BalanceTransaction,
    Dispute,
    PaymentIntent,
    Refund,
)
from provider_simulator.storage.database import HistoryDb
from provider_simulator.storage.spill_map import SpillMap

DISPUTE_CATEGORIES = ("dispute", "dispute_reversal")


def metadata_tag(key: str, value: str) -> str:
    return f"metadata\x1f{key}\x1f{value}"


def _intent_tags(intent: PaymentIntent) -> Iterable[str]:
    return (metadata_tag(key, value) for key, value in intent.metadata.items())


def _dispute_tags(dispute: Dispute) -> Iterable[str]:
    return (dispute.payment_intent,)


def _transaction_tags(txn: BalanceTransaction) -> Iterable[str]:
    return (txn.reporting_category,) if txn.reporting_category in DISPUTE_CATEGORIES else ()


class StripeState:
    def __init__(self, settings: Settings, db: HistoryDb) -> None:
        hot = settings.hot_objects
        self.api_key = settings.stripe_api_key
        self.webhook_secret = settings.stripe_webhook_secret
        self.webhook_url = settings.webhook_url(PROVIDER)
        self.idempotency = IdempotencyStore(
            db, "stripe_idempotency", hot=hot, max_keys=settings.idempotency_max_keys
        )
        self.intents = SpillMap[PaymentIntent](db, "stripe_intents", hot=hot, tags=_intent_tags)
        self.intent_by_charge = SpillMap[str](db, "stripe_charges", hot=hot)
        self.refunds = SpillMap[Refund](db, "stripe_refunds", hot=hot)
        self.disputes = SpillMap[Dispute](db, "stripe_disputes", hot=hot, tags=_dispute_tags)
        self.balance_transactions = SpillMap[BalanceTransaction](
            db, "stripe_balance_transactions", hot=hot, tags=_transaction_tags
        )
        self.balance: dict[str, int] = {}
        """Net of every balance transaction, per currency."""

    def record(self, txn: BalanceTransaction) -> None:
        self.balance_transactions[txn.id] = txn
        self.balance[txn.currency] = self.balance.get(txn.currency, 0) + txn.net

    def reset(self) -> None:
        self.idempotency.clear()
        self.intents.clear()
        self.intent_by_charge.clear()
        self.refunds.clear()
        self.disputes.clear()
        self.balance_transactions.clear()
        self.balance.clear()
