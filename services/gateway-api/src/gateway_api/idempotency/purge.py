"""Forgetting Idempotency-Keys past their retention."""

from __future__ import annotations

import asyncio
from datetime import datetime

import structlog

from gateway_api.idempotency.rules import PURGE_INTERVAL_S, RETENTION
from gateway_api.unit_of_work import HandlerUnitOfWork, UnitOfWorkFactory
from payroute_common.clock import utcnow

log = structlog.get_logger(__name__)


async def purge_idempotency_keys(now: datetime, *, uow: HandlerUnitOfWork) -> int:
    """Forget Idempotency-Keys older than the retention; how many were forgotten."""
    purged = await uow.idempotency.purge(now - RETENTION)
    await uow.commit()
    return purged


async def purge_idempotency_keys_forever(new_unit_of_work: UnitOfWorkFactory) -> None:
    """Forget Idempotency-Keys past their retention, every `PURGE_INTERVAL_S`."""
    while True:
        try:
            async with new_unit_of_work() as uow:
                purged = await purge_idempotency_keys(utcnow(), uow=uow)
            if purged:
                log.info("idempotency_keys_purged", count=purged)
        except Exception:
            log.exception("idempotency_key_purge_failed")
        await asyncio.sleep(PURGE_INTERVAL_S)
