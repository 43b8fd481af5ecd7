"""`reconciliation.events`, staged in the outbox with the change they announce and
keyed by run id (an issue's events by the run that opened it)."""

from __future__ import annotations

from payroute_common.envelope import Envelope, Message
from payroute_common.topics import RECONCILIATION_EVENTS
from payroute_common.uow import UnitOfWorkInterface

PRODUCER = "reconciliation"
TENANT = "platform"  # reconciliation is the platform's, not a merchant's


def publish(uow: UnitOfWorkInterface, message: Message, *, run_id: str, subject: str) -> None:
    envelope = Envelope.wrap(
        message, producer=PRODUCER, tenant_id=TENANT, aggregate_id=subject, correlation_id=run_id
    )
    uow.publish(RECONCILIATION_EVENTS, run_id, envelope)
