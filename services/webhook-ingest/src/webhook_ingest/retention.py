"""Pruning the audit log: rows older than the retention go, in small batches.

The audit log is every request, so it grows with traffic; after the retention
(`WEBHOOK_INGEST_RETENTION_DAYS`, 30 by default) a row has served its purpose.
The same rows are the dedupe of provider event ids, so a delivery of an event
older than the retention would be taken again: providers stop retrying within
days (Stripe: 3), far inside it.

Each batch is its own short transaction that deletes at most `batch_size` rows
by the `received_at` index, so the hot path's inserts never wait long behind
it. A transaction-scoped advisory lock lets one replica prune at a time: a
replica that finds it taken leaves this round to the holder. Runs in the
background every `WEBHOOK_INGEST_PRUNE_INTERVAL_S`, starting at start-up.
"""

from __future__ import annotations

import asyncio
import zlib
from datetime import datetime, timedelta

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from payroute_common.clock import utcnow

log = structlog.get_logger(__name__)

LOCK_KEY = zlib.crc32(b"webhook-ingest:prune")
PAUSE_BETWEEN_BATCHES_S = 0.05

_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
_DELETE_BATCH = text(
    """
    DELETE FROM webhook_requests
    WHERE id = ANY(ARRAY(
        SELECT id FROM webhook_requests WHERE received_at < :cutoff LIMIT :batch
    ))
    """
)


class AuditPruner:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        retention: timedelta,
        interval_s: float,
        batch_size: int,
    ) -> None:
        self._engine = engine
        self._retention = retention
        self._interval_s = interval_s
        self._batch_size = batch_size

    async def prune(self, cutoff: datetime | None = None) -> int:
        """Delete every row received before `cutoff` (default: now minus the retention);
        the number deleted (0 when another replica holds the lock)."""
        cutoff = cutoff or utcnow() - self._retention
        total = 0
        while True:
            deleted = await self._delete_batch(cutoff)
            if deleted is None:
                break
            total += deleted
            if deleted < self._batch_size:
                break
            await asyncio.sleep(PAUSE_BETWEEN_BATCHES_S)
        return total

    async def _delete_batch(self, cutoff: datetime) -> int | None:
        """One batch in one transaction; None if another replica is pruning."""
        async with self._engine.begin() as connection:
            if not await connection.scalar(_LOCK, {"key": LOCK_KEY}):
                return None
            result = await connection.execute(
                _DELETE_BATCH, {"cutoff": cutoff, "batch": self._batch_size}
            )
            return int(result.rowcount)

    async def run(self) -> None:
        """Prune now and then every interval, until cancelled; a failed round is logged."""
        while True:
            try:
                deleted = await self.prune()
            except Exception as error:  # the next round tries again
                log.warning("webhook_audit_prune_failed", error=str(error)[:200])
            else:
                if deleted:
                    log.info("webhook_audit_pruned", deleted=deleted)
            await asyncio.sleep(self._interval_s)
