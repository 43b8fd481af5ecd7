"""reconciliation's subscription: payment events feed its ledger view (a batch's at once),
and key announcements its copy of the API keys (one consumer group, one inbox)."""

from collections.abc import Callable

from payroute_common.consumer import subscribe
from payroute_common.consumer_dispatch import InboxDispatcher, PerBatch, PerMessage, Route
from payroute_common.envelope import Message
from payroute_common.messages import ApiKeyIssued, ApiKeyRevoked, PaymentEvent
from payroute_common.runtime import ServiceRuntime
from payroute_common.topics import ACCESS_KEYS, PAYMENT_EVENTS
from reconciliation.handlers import (
    CONSUMER,
    record_key_issued,
    record_key_revoked,
    record_payment_events,
)
from reconciliation.store import ReconciliationUnitOfWork

UnitOfWorkFactory = Callable[[], ReconciliationUnitOfWork]

ROUTES: dict[type[Message], Route[ReconciliationUnitOfWork]] = {
    PaymentEvent: PerBatch(record_payment_events),
    ApiKeyIssued: PerMessage(record_key_issued),
    ApiKeyRevoked: PerMessage(record_key_revoked),
}


def dispatcher(new_unit_of_work: UnitOfWorkFactory) -> InboxDispatcher[ReconciliationUnitOfWork]:
    return InboxDispatcher(CONSUMER, new_unit_of_work, ROUTES)


def register(runtime: ServiceRuntime, new_unit_of_work: UnitOfWorkFactory) -> None:
    subscribe(
        runtime.broker,
        runtime.settings,
        group=CONSUMER,
        topics=[PAYMENT_EVENTS, ACCESS_KEYS],
        handler=dispatcher(new_unit_of_work),
    )
