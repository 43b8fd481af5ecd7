"""Fixtures of the whole-system tests."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from .helpers import query, wait_for

# Every knob at its default: whatever a test turned, the next one starts from normal.
NORMAL = {
    "mode": "normal",
    "latency_ms": 0,
    "latency_p99_ms": 0,
    "latency_jitter_ms": 0,
    "error_rate": 0.0,
    "soft_decline_rate": 0.0,
    "outage_windows": [],
    "webhooks": True,
    "webhook_duplicates": 0,
    "webhook_delay_ms": 0,
    "webhook_jitter_ms": 0,
    "webhook_reorder": False,
    "hang_s": None,  # back to the simulator's PROVIDER_SIMULATOR_TIMEOUT_HANG_S
    "refunds": "immediate",
    "refund_settle_s": 2.0,
}
PROVIDERS = ("stripe", "paymongo", "xendit", "maya")


@pytest_asyncio.fixture(loop_scope="session")
async def simulator(stack: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The simulator's admin API; every provider back to normal and healthy afterwards."""
    async with httpx.AsyncClient(base_url=stack.url("provider-simulator"), timeout=10) as sim:
        yield sim
        for provider in PROVIDERS:
            await sim.put(f"/_sim/providers/{provider}", json=NORMAL)

    async def all_healthy() -> bool:
        rows = await query(stack, "orchestrator", "SELECT health FROM provider_health")
        return all(row["health"] == "healthy" for row in rows)

    await wait_for(all_healthy, timeout=30, interval=0.2, what="every provider healthy again")
