"""Everything the simulated Xendit account remembers, in memory."""

from provider_simulator.config import Settings
from provider_simulator.idempotency import IdempotencyStore
from provider_simulator.providers.xendit import PROVIDER
from provider_simulator.providers.xendit.model import PaymentRequest, Refund


class XenditState:
    def __init__(self, settings: Settings) -> None:
        self.secret_key = settings.xendit_secret_key
        self.callback_token = settings.xendit_callback_token
        self.webhook_url = settings.webhook_url(PROVIDER)
        self.idempotency = IdempotencyStore(max_keys=settings.idempotency_max_keys)
        self.requests: dict[str, PaymentRequest] = {}
        self.refunds: dict[str, Refund] = {}

    def reset(self) -> None:
        self.idempotency.clear()
        self.requests.clear()
        self.refunds.clear()
