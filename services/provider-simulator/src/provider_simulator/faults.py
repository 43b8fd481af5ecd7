"""What a provider's scenario does to one API request.

Before the provider's logic sees it (`meet`): a simulated outage or server error, or its
latency. Around the provider's logic (`after_hang`): in `timeout` mode the request hangs
`hang_s`, then takes effect even if the caller gave up. After it (`at_the_edge`): in
`error_after_effect` and `malformed` modes a request that changes something has taken
effect, and the caller gets a 500 in the provider's format or a 200 that is not JSON.

These model a failure at the provider's edge after its core committed: the provider's
idempotency layer has already stored the true answer under the request's idempotency key,
so the same request sent again with the same key replays the true answer (and a re-send
while a hung request is still running is answered "in progress" at once, since keys are
claimed before the hang). Reads are left alone, so a status query sees the truth.
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from starlette.responses import Response

from provider_simulator.scenarios import Fault, Scenario, pick_fault
from provider_simulator.simulator import Simulator

EDGE_MODES = ("error_after_effect", "malformed")


async def meet(scenario: Scenario) -> Fault:
    """The fault this request meets; without one, after the scenario's latency."""
    fault = pick_fault(scenario)
    if fault is Fault.NONE:
        delay_s = scenario.latency_s  # a fresh draw on every read
        if delay_s:
            await asyncio.sleep(delay_s)
    return fault


async def after_hang(
    sim: Simulator, hang_s: float, apply: Callable[[], Awaitable[Response]]
) -> Response:
    """Apply the request once `hang_s` is over, even if the caller gave up waiting: a
    timed-out charge still happens, as at a real provider."""

    async def hang_then_apply() -> Response:
        await asyncio.sleep(hang_s)
        return await apply()

    task = asyncio.ensure_future(hang_then_apply())
    sim.keep(task)
    return await asyncio.shield(task)


def at_the_edge(
    scenario: Scenario,
    method: str,
    truth: Response,
    server_error: Callable[[], Response],
    headers: Mapping[str, str] | None = None,
) -> Response:
    """What the caller of a request that took effect receives: the truth, or in the
    scenario's edge modes a 500 (`server_error`) or a 200 cut off mid-body."""
    if method != "POST" or scenario.mode not in EDGE_MODES:
        return truth
    if scenario.mode == "error_after_effect":
        return server_error()
    return Response(malformed(bytes(truth.body)), 200, headers, media_type="application/json")


def malformed(body: bytes) -> bytes:
    """The first half of the true body: never valid JSON (an object cut before its end)."""
    return body[: len(body) // 2] or b"<"
