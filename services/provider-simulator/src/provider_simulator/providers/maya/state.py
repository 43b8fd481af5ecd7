"""Everything the simulated Maya account remembers, in memory."""

from provider_simulator.config import Settings
from provider_simulator.providers.maya import PROVIDER
from provider_simulator.providers.maya.model import Payment


class MayaState:
    def __init__(self, settings: Settings) -> None:
        self.public_key = settings.maya_public_key
        self.secret_key = settings.maya_secret_key
        self.webhook_url = settings.webhook_url(PROVIDER)
        self.payments: dict[str, Payment] = {}

    def reset(self) -> None:
        self.payments.clear()
