"""The payment's trace reaches every provider as metadata `traceparent` and comes back
in its webhook, so webhook-ingest can put the webhook in the payment's trace.

The value is the command's (the orchestrator set it once, when the attempt started),
never the worker's own span: a command re-sent while another span is current must
be the very same request, or the provider would refuse the idempotency key as reused.
Every adapter against the simulator over real HTTP; webhooks are caught on their way.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from payroute_common.messages import AuthorizePayment, PaymentMethod
from provider_simulator.config import Settings
from provider_simulator.testing import SeenRequest, running_simulator
from provider_worker.adapters.base import ProviderAdapter
from provider_worker.adapters.maya import MayaAdapter
from provider_worker.adapters.paymongo import PaymongoAdapter
from provider_worker.adapters.stripe import StripeAdapter
from provider_worker.adapters.xendit import XenditAdapter

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")

PAYMENT_TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
RETURN_URL = "https://shop.test/back"
# The authorization request whose metadata Payroute sets, per provider.
CREATE_PATHS = {
    "stripe": "/v1/payment_intents",
    "paymongo": "/v1/payment_intents",
    "xendit": "/payment_requests",
    "maya": "/checkout/v1/checkouts",
}
METHODS = {"stripe": ("card", "pm_card_visa"), "paymongo": ("gcash", None)}


@dataclass
class Sim:
    url: str
    settings: Settings
    seen: list[SeenRequest]
    webhooks: list[httpx.Request] = field(default_factory=list)

    def creations(self, provider: str) -> list[SeenRequest]:
        return [r for r in self.seen if r.method == "POST" and r.path == CREATE_PATHS[provider]]

    def adapter(self, provider: str) -> ProviderAdapter:
        s = self.settings
        if provider == "stripe":
            return StripeAdapter(s.stripe_api_key.get_secret_value(), self.url, timeout_s=5)
        if provider == "paymongo":
            return PaymongoAdapter(s.paymongo_secret_key.get_secret_value(), self.url, 5)
        if provider == "xendit":
            return XenditAdapter(s.xendit_secret_key.get_secret_value(), self.url, 5)
        public, secret = s.maya_public_key, s.maya_secret_key
        return MayaAdapter(public.get_secret_value(), secret.get_secret_value(), self.url, 5)


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    settings = Settings(timeout_hang_s=0.5)
    seen: list[SeenRequest] = []
    webhooks: list[httpx.Request] = []

    def deliver(request: httpx.Request) -> httpx.Response:
        webhooks.append(request)
        return httpx.Response(200)

    async with running_simulator(settings, httpx.MockTransport(deliver), seen=seen) as url:
        yield Sim(url, settings, seen, webhooks)


def command(provider: str) -> AuthorizePayment:
    method, token = METHODS.get(provider, ("gcash" if provider == "xendit" else "maya", None))
    return AuthorizePayment(
        payment_id="pay_1",
        attempt_id="att_1",
        provider=provider,
        amount=2500,
        currency="PHP",
        capture_method="automatic",
        payment_method=PaymentMethod(type=method, token=token),  # type: ignore[arg-type]
        metadata={"order": "7", "traceparent": PAYMENT_TRACE, "payment_id": "pay_1"},
        return_url=RETURN_URL,
    )


@contextmanager
def worker_span(span_id: int) -> Iterator[None]:
    """A span of the worker's own, in another trace than the payment's."""
    context = SpanContext(0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id, False, TraceFlags(1))
    with trace.use_span(NonRecordingSpan(context)):
        yield


def sent_traceparent(request: SeenRequest) -> str | None:
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return request.form().get("metadata[traceparent]", [None])[0]  # Stripe's form body
    body = json.loads(request.body)
    metadata = body.get("data", {}).get("attributes", body).get("metadata") or {}
    return metadata.get("traceparent")


def echoed_traceparents(webhook: httpx.Request) -> set[str]:
    """Every `metadata.traceparent` anywhere in a webhook's body."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            metadata = node.get("metadata")
            if isinstance(metadata, dict) and isinstance(metadata.get("traceparent"), str):
                found.add(metadata["traceparent"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(webhook.content))
    return found


async def echoed(sim: Sim) -> set[str]:
    for _ in range(200):
        found = set().union(*(echoed_traceparents(w) for w in sim.webhooks))
        if found:
            return found
        await asyncio.sleep(0.02)
    return set()


@pytest.mark.parametrize("provider", ["stripe", "paymongo", "xendit", "maya"])
async def test_the_commands_traceparent_goes_out_unchanged_and_comes_back(
    sim: Sim, provider: str
) -> None:
    adapter = sim.adapter(provider)
    try:
        with worker_span(0x1111111111111111):
            answer = await adapter.authorize(command(provider))
        with worker_span(0x2222222222222222):  # the same command, delivered again
            await adapter.authorize(command(provider))
    finally:
        await adapter.close()

    first, again = sim.creations(provider)
    assert sent_traceparent(first) == PAYMENT_TRACE
    assert again.body == first.body
    if answer.redirect_url is not None:  # the customer approves; the webhook follows
        async with httpx.AsyncClient() as browser:
            await browser.get(answer.redirect_url)
    assert await echoed(sim) == {PAYMENT_TRACE}
