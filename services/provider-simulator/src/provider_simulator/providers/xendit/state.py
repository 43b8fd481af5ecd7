"""Everything the simulated Xendit account remembers, kept in the history file with the
most recently used objects live (storage/spill_map.py). Payment requests are tagged by
their `reference_id`, refunds by theirs and by their payment request, the lookups the
API offers besides ids."""

from collections.abc import Iterable

from provider_simulator.config import Settings
from provider_simulator.idempotency import IdempotencyStore
from provider_simulator.providers.xendit import PROVIDER
from provider_simulator.providers.xendit.model import PaymentRequest, Refund
from provider_simulator.storage.database import HistoryDb
from provider_simulator.storage.spill_map import SpillMap


def reference_tag(reference_id: str) -> str:
    return f"reference:{reference_id}"


def request_tag(payment_request_id: str) -> str:
    return f"request:{payment_request_id}"


def _request_tags(request: PaymentRequest) -> Iterable[str]:
    return (reference_tag(request.reference_id),)


def _refund_tags(refund: Refund) -> Iterable[str]:
    return reference_tag(refund.reference_id), request_tag(refund.payment_request_id)


class XenditState:
    def __init__(self, settings: Settings, db: HistoryDb) -> None:
        hot = settings.hot_objects
        self.secret_key = settings.xendit_secret_key
        self.callback_token = settings.xendit_callback_token
        self.webhook_url = settings.webhook_url(PROVIDER)
        self.idempotency = IdempotencyStore(
            db, "xendit_idempotency", hot=hot, max_keys=settings.idempotency_max_keys
        )
        self.requests = SpillMap[PaymentRequest](db, "xendit_requests", hot=hot, tags=_request_tags)
        self.refunds = SpillMap[Refund](db, "xendit_refunds", hot=hot, tags=_refund_tags)

    def reset(self) -> None:
        self.idempotency.clear()
        self.requests.clear()
        self.refunds.clear()
