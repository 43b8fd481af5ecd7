"""Provider health as provider-worker reports it: kept for routing."""

from __future__ import annotations

from orchestrator.store import HandlerUnitOfWork
from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderHealthChanged


async def provider_health_changed(
    msg: ProviderHealthChanged, *, uow: HandlerUnitOfWork, envelope: Envelope
) -> None:
    uow.providers.record_health(msg)
