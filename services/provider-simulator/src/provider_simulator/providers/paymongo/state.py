"""Everything the simulated PayMongo account remembers, kept in the history file with the
most recently used objects live (storage/spill_map.py). An intent holds its payments
and their refunds; each payment's intent is recorded in the order payments were made
(List all Payments pages through it), and intents are tagged by their refunds' ids."""

from collections.abc import Iterable

from provider_simulator.config import Settings
from provider_simulator.idempotency import IdempotencyStore
from provider_simulator.providers.paymongo import PROVIDER
from provider_simulator.providers.paymongo.model import (
    Payment,
    PaymentIntent,
    PaymentMethod,
    Refund,
)
from provider_simulator.storage.database import HistoryDb
from provider_simulator.storage.spill_map import SpillMap

Found = tuple[PaymentIntent, Payment]


def _refund_ids(intent: PaymentIntent) -> Iterable[str]:
    return (refund.id for payment in intent.payments for refund in payment.refunds)


class PaymongoState:
    def __init__(self, settings: Settings, db: HistoryDb) -> None:
        hot = settings.hot_objects
        self.secret_key = settings.paymongo_secret_key
        self.webhook_secret = settings.paymongo_webhook_secret
        self.webhook_url = settings.webhook_url(PROVIDER)
        self.idempotency = IdempotencyStore(
            db, "paymongo_idempotency", hot=hot, max_keys=settings.idempotency_max_keys
        )
        self.intents = SpillMap[PaymentIntent](db, "paymongo_intents", hot=hot, tags=_refund_ids)
        self.methods = SpillMap[PaymentMethod](db, "paymongo_methods", hot=hot)
        self.payment_intents = SpillMap[str](db, "paymongo_payments", hot=hot)
        """Each payment's intent id, oldest payment first."""

    def remember(self, intent: PaymentIntent) -> None:
        """Store the intent (again, after a change) so that its new payments and refunds
        can be found."""
        self.intents[intent.id] = intent
        for payment in intent.payments:
            if payment.id not in self.payment_intents:
                self.payment_intents[payment.id] = intent.id

    def payment(self, payment_id: str) -> Found | None:
        """The payment and its intent, to change them."""
        intent_id = self.payment_intents.get(payment_id)
        intent = self.intents.get(intent_id) if intent_id else None
        return _within(intent, payment_id)

    def payments(self, limit: int, *, before: str | None) -> tuple[list[Payment], bool]:
        """Up to `limit` payments, newest first, older than `before` if given; and whether
        there are more. Read-only."""
        page, more = self.payment_intents.page(limit, before=before)
        found = [_within(self.intents.peek(intent_id), pay_id) for pay_id, intent_id in page]
        return [pair[1] for pair in found if pair], more

    def refund(self, refund_id: str) -> tuple[Refund, Payment] | None:
        """The refund and the payment it returns money from. Read-only."""
        for intent in self.intents.find((refund_id,)):
            for payment in intent.payments:
                for refund in payment.refunds:
                    if refund.id == refund_id:
                        return refund, payment
        return None

    def reset(self) -> None:
        self.idempotency.clear()
        self.intents.clear()
        self.methods.clear()
        self.payment_intents.clear()


def _within(intent: PaymentIntent | None, payment_id: str) -> Found | None:
    payments = intent.payments if intent else []
    payment = next((p for p in payments if p.id == payment_id), None)
    return (intent, payment) if intent and payment else None
