"""Everything the simulated Maya account remembers, kept in the history file with the
most recently used payments live (storage/spill_map.py). Payments (which hold their
refunds) are tagged by their request reference number, which Maya looks them up by."""

from collections.abc import Iterable

from provider_simulator.config import Settings
from provider_simulator.providers.maya import PROVIDER
from provider_simulator.providers.maya.model import Payment
from provider_simulator.storage.database import HistoryDb
from provider_simulator.storage.spill_map import SpillMap


def _rrn(payment: Payment) -> Iterable[str]:
    return (payment.request_reference_number,)


class MayaState:
    def __init__(self, settings: Settings, db: HistoryDb) -> None:
        self.public_key = settings.maya_public_key
        self.secret_key = settings.maya_secret_key
        self.webhook_url = settings.webhook_url(PROVIDER)
        self.payments = SpillMap[Payment](db, "maya_payments", hot=settings.hot_objects, tags=_rrn)

    def reset(self) -> None:
        self.payments.clear()
