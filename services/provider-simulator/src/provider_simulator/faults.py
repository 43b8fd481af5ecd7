"""What a provider's scenario does to one API request before the provider's logic
sees it: a simulated outage or server error, its latency, or a hang in `timeout`
mode after which the request still takes effect."""

import asyncio
from collections.abc import Awaitable, Callable

from starlette.responses import Response

from provider_simulator.scenarios import Fault, Scenario, pick_fault
from provider_simulator.simulator import Simulator


async def meet(scenario: Scenario) -> Fault:
    """The fault this request meets; without one, after the scenario's latency."""
    fault = pick_fault(scenario)
    if fault is Fault.NONE:
        delay_s = scenario.latency_s  # a fresh draw on every read
        if delay_s:
            await asyncio.sleep(delay_s)
    return fault


async def after_hang(sim: Simulator, apply: Callable[[], Awaitable[Response]]) -> Response:
    """Apply the request once the configured hang is over, even if the caller gave up
    waiting: a timed-out charge still happens, as at a real provider."""

    async def hang_then_apply() -> Response:
        await asyncio.sleep(sim.settings.timeout_hang_s)
        return await apply()

    task = asyncio.ensure_future(hang_then_apply())
    sim.keep(task)
    return await asyncio.shield(task)
