"""Everything the simulated PayMongo account remembers, in memory."""

from provider_simulator.config import Settings
from provider_simulator.idempotency import IdempotencyStore
from provider_simulator.providers.paymongo import PROVIDER
from provider_simulator.providers.paymongo.model import Payment, PaymentIntent, PaymentMethod


class PaymongoState:
    def __init__(self, settings: Settings) -> None:
        self.secret_key = settings.paymongo_secret_key
        self.webhook_secret = settings.paymongo_webhook_secret
        self.webhook_url = settings.webhook_url(PROVIDER)
        self.idempotency = IdempotencyStore(max_keys=settings.idempotency_max_keys)
        self.intents: dict[str, PaymentIntent] = {}
        self.methods: dict[str, PaymentMethod] = {}
        self.payments: dict[str, Payment] = {}

    def reset(self) -> None:
        self.idempotency.clear()
        self.intents.clear()
        self.methods.clear()
        self.payments.clear()
