"""The edge's own refusals: per-source rate limit (429, not stored) and allowlist (403, stored)."""

from collections.abc import AsyncIterator, Mapping, Sequence

import httpx
import pytest
from fastapi import FastAPI
from pydantic import IPvAnyNetwork, TypeAdapter

from webhook_ingest.api import EdgePolicy, webhook_endpoint, webhook_router
from webhook_ingest.metrics import WEBHOOKS
from webhook_ingest.providers.stripe import StripeProvider
from webhook_ingest.rate_limit import TokenBuckets
from webhook_ingest.sources import Allowlist

from .fakes import FakeStore
from .stripe_fixtures import SECRET, encode, payment_intent_event, signature_header

NETWORKS = TypeAdapter(dict[str, list[IPvAnyNetwork]])


class FrozenClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def allowlist(networks: Mapping[str, Sequence[str]]) -> Allowlist:
    return Allowlist(NETWORKS.validate_python(networks))


async def client_for(
    store: FakeStore, policy: EdgePolicy, address: str
) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    providers = {"stripe": StripeProvider(SECRET)}
    app.include_router(webhook_router(webhook_endpoint(providers, store.writer, policy=policy)))
    transport = httpx.ASGITransport(app=app, client=(address, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
        yield http


async def send(client: httpx.AsyncClient, event_id: str) -> httpx.Response:
    body = encode(payment_intent_event(event_id=event_id))
    headers = {"content-type": "application/json", "stripe-signature": signature_header(body)}
    return await client.post("/webhooks/stripe", content=body, headers=headers)


def counted(outcome: str) -> float:
    return WEBHOOKS.labels(provider="stripe", outcome=outcome)._value.get()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def limited(store: FakeStore, clock: FrozenClock) -> AsyncIterator[httpx.AsyncClient]:
    limiter = TokenBuckets(1.0, 2, max_sources=10, clock=clock)
    policy = EdgePolicy(max_body_bytes=4096, limiter=limiter, allowlist=allowlist({}))
    async for client in client_for(store, policy, "198.51.100.9"):
        yield client


async def test_over_the_burst_is_429_with_retry_after_and_not_stored(
    limited: httpx.AsyncClient, store: FakeStore
) -> None:
    before = counted("rate_limited")
    assert [(await send(limited, f"evt_{i}")).status_code for i in range(2)] == [200, 200]
    refused = await send(limited, "evt_2")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    error = refused.json()["error"]
    assert (error["type"], error["code"]) == ("rate_limit_error", "rate_limited")
    assert [r["provider_event_id"] for r in store.db.rows] == ["evt_0", "evt_1"]
    assert counted("rate_limited") == before + 1


async def test_the_bucket_refills_with_time(limited: httpx.AsyncClient, clock: FrozenClock) -> None:
    for i in range(2):
        await send(limited, f"evt_{i}")
    assert (await send(limited, "evt_2")).status_code == 429
    clock.now += 1.0
    assert (await send(limited, "evt_3")).status_code == 200


def test_sources_have_their_own_buckets_and_the_table_is_bounded() -> None:
    clock = FrozenClock()
    buckets = TokenBuckets(0.5, 1, max_sources=2, clock=clock)
    assert buckets.spend_token("a") == 0.0
    assert buckets.spend_token("a") == pytest.approx(2.0)  # one token at 0.5/s: 2 s away
    assert buckets.spend_token("b") == 0.0
    assert buckets.spend_token("c") == 0.0  # "a" was least recently seen: dropped
    assert buckets.spend_token("a") == 0.0  # back with a full bucket


async def test_allowlisted_provider_refuses_other_sources_and_stores_them_rejected(
    store: FakeStore,
) -> None:
    limiter = TokenBuckets(100.0, 100, max_sources=10)
    policy = EdgePolicy(4096, limiter, allowlist({"stripe": ["203.0.113.0/24"]}))
    async for outsider in client_for(store, policy, "198.51.100.9"):
        refused = await send(outsider, "evt_out")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "source_not_allowed"
    async for insider in client_for(store, policy, "203.0.113.20"):
        assert (await send(insider, "evt_in")).status_code == 200
    rejected, accepted = store.db.rows
    assert (rejected["status"], rejected["provider_event_id"]) == ("rejected", "evt_out")
    assert "198.51.100.9" in rejected["error"]
    assert (accepted["status"], accepted["provider_event_id"]) == ("accepted", "evt_in")
    assert len(store.db.published) == 1  # the refused request had no effect


def test_provider_without_allowlist_is_open_and_bad_addresses_are_not_allowed() -> None:
    rules = allowlist({"maya": ["203.0.113.0/24", "2001:db8::/32"]})
    assert rules.allows("stripe", "198.51.100.9")
    assert rules.allows("maya", "2001:db8::1")
    assert not rules.allows("maya", "198.51.100.9")
    assert not rules.allows("maya", "unknown")
