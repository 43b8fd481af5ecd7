"""Everything the simulated Stripe account remembers, in memory."""

from provider_simulator.config import Settings
from provider_simulator.idempotency import IdempotencyStore
from provider_simulator.providers.stripe import PROVIDER
from provider_simulator.providers.stripe.model import (
    BalanceTransaction,
    Dispute,
    PaymentIntent,
    Refund,
)


class StripeState:
    def __init__(self, settings: Settings) -> None:
        self.api_key = settings.stripe_api_key
        self.webhook_secret = settings.stripe_webhook_secret
        self.webhook_url = settings.webhook_url(PROVIDER)
        self.idempotency = IdempotencyStore(max_keys=settings.idempotency_max_keys)
        self.intents: dict[str, PaymentIntent] = {}
        self.intent_by_charge: dict[str, str] = {}
        self.refunds: dict[str, Refund] = {}
        self.disputes: dict[str, Dispute] = {}
        self.balance_transactions: dict[str, BalanceTransaction] = {}

    def reset(self) -> None:
        self.idempotency.clear()
        self.intents.clear()
        self.intent_by_charge.clear()
        self.refunds.clear()
        self.disputes.clear()
        self.balance_transactions.clear()
