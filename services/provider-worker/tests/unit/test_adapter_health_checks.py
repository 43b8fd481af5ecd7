"""Each adapter's health check against the simulator: answered when up, a
undetermined (`timeout`, `http_503`) failure in an outage, and no money moved either way."""

import secrets
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from provider_simulator.config import Settings
from provider_simulator.testing import running_simulator
from provider_worker.adapters.base import ProviderAdapter, ProviderFailure
from provider_worker.adapters.maya import MayaAdapter
from provider_worker.adapters.paymongo import PaymongoAdapter
from provider_worker.adapters.stripe import StripeAdapter
from provider_worker.adapters.xendit import XenditAdapter
from provider_worker.guard import SICK

KEYS = {name: f"sk_test_{name}_{secrets.token_hex(8)}" for name in ("stripe", "pm", "xnd", "maya")}
MAYA_PUBLIC = f"pk-{secrets.token_hex(8)}"

ADAPTERS: dict[str, Callable[[str], ProviderAdapter]] = {
    "stripe": lambda url: StripeAdapter(KEYS["stripe"], url, timeout_s=5),
    "paymongo": lambda url: PaymongoAdapter(KEYS["pm"], url, timeout_s=5),
    "xendit": lambda url: XenditAdapter(KEYS["xnd"], url, timeout_s=5),
    "maya": lambda url: MayaAdapter(MAYA_PUBLIC, KEYS["maya"], url, timeout_s=5),
}


@pytest.fixture(scope="module")
async def simulator() -> AsyncIterator[str]:
    settings = Settings(
        stripe_api_key=KEYS["stripe"],
        paymongo_secret_key=KEYS["pm"],
        xendit_secret_key=KEYS["xnd"],
        maya_public_key=MAYA_PUBLIC,
        maya_secret_key=KEYS["maya"],
        timeout_hang_s=0.5,
    )
    async with running_simulator(settings) as url:
        yield url


async def set_mode(url: str, provider: str, mode: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.put(f"{url}/_sim/providers/{provider}", json={"mode": mode})
        response.raise_for_status()


async def answers(adapter: ProviderAdapter) -> bool:
    """Whether the health check shows the provider up: an answer, even a refusal."""
    try:
        await adapter.health_check()
    except ProviderFailure as failure:
        return failure.error.category not in SICK
    return True


async def ledger(url: str) -> list[object]:
    async with httpx.AsyncClient() as client:
        return list((await client.get(f"{url}/_sim/ledger")).json())


@pytest.mark.parametrize("provider", sorted(ADAPTERS))
async def test_the_health_check_answers_when_up_and_fails_undetermined_in_an_outage(
    simulator: str, provider: str
) -> None:
    adapter = ADAPTERS[provider](simulator)
    try:
        assert await answers(adapter)
        await set_mode(simulator, provider, "outage")
        with pytest.raises(ProviderFailure) as raised:
            await adapter.health_check()
    finally:
        await set_mode(simulator, provider, "normal")
        await adapter.close()

    assert (raised.value.error.category, raised.value.error.code) == ("timeout", "http_503")
    assert await ledger(simulator) == []
