"""The client address behind trusted proxies only; it feeds the rate limit and allowlist."""

from collections.abc import AsyncIterator, Sequence

import httpx
import pytest
from fastapi import FastAPI
from pydantic import IPvAnyNetwork, TypeAdapter

from webhook_ingest.api import EdgePolicy, webhook_endpoint, webhook_router
from webhook_ingest.providers.stripe import StripeProvider
from webhook_ingest.rate_limit import TokenBuckets
from webhook_ingest.sources import (
    UNKNOWN_ADDRESS,
    Allowlist,
    ClientAddresses,
    ForwardedHeader,
    forwarded_for_hops,
    parse_address,
)

from .fakes import FakeStore
from .stripe_fixtures import SECRET, encode, payment_intent_event, signature_header

NETWORKS = TypeAdapter(list[IPvAnyNetwork])
PROXY = "10.0.0.5"


def resolver(
    proxies: Sequence[str], header: ForwardedHeader = "x-forwarded-for"
) -> ClientAddresses:
    return ClientAddresses(NETWORKS.validate_python(proxies), header)


def scope(peer: str, **headers: str) -> dict:
    pairs = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"client": (peer, 40_000), "headers": pairs}


def test_without_trusted_proxies_forwarding_headers_are_ignored() -> None:
    addresses = resolver([])
    assert addresses.of(scope(PROXY, x_forwarded_for="203.0.113.7")) == PROXY
    assert addresses.of(scope(PROXY, forwarded="for=203.0.113.7")) == PROXY


def test_a_peer_that_is_not_a_trusted_proxy_is_the_client() -> None:
    addresses = resolver(["10.0.0.0/8"])
    assert addresses.of(scope("198.51.100.9", x_forwarded_for="203.0.113.7")) == "198.51.100.9"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() -> None:
    addresses = resolver(["10.0.0.0/8"])
    # The caller claimed 192.0.2.1; the proxy appended the address it saw.
    forwarded = "192.0.2.1, 203.0.113.7, 10.0.0.9"
    assert addresses.of(scope(PROXY, x_forwarded_for=forwarded)) == "203.0.113.7"


def test_a_chain_of_trusted_proxies_yields_the_leftmost_hop() -> None:
    addresses = resolver(["10.0.0.0/8"])
    assert addresses.of(scope(PROXY, x_forwarded_for="10.1.1.1, 10.2.2.2")) == "10.1.1.1"


def test_a_trusted_proxy_without_a_forwarding_header_is_the_client() -> None:
    assert resolver(["10.0.0.0/8"]).of(scope(PROXY)) == PROXY


@pytest.mark.parametrize("hop", ["unknown", "_hidden", "not-an-address", ""])
def test_a_hop_that_is_not_an_address_makes_the_client_unknown(hop: str) -> None:
    addresses = resolver(["10.0.0.0/8"])
    assert addresses.of(scope(PROXY, x_forwarded_for=f"192.0.2.1, {hop}")) == UNKNOWN_ADDRESS


def test_rfc7239_forwarded_is_read_when_configured_and_xff_is_not() -> None:
    addresses = resolver(["10.0.0.0/8"], "forwarded")
    forwarded = 'for=192.0.2.1, for="[2001:db8::17]:4711";proto=https, for=10.0.0.9'
    request = scope(PROXY, forwarded=forwarded, x_forwarded_for="198.51.100.66")
    assert addresses.of(request) == "2001:db8::17"


def test_forwarded_and_address_parsing() -> None:
    assert forwarded_for_hops('for=1.2.3.4;by=5.6.7.8, For="[::1]"') == ["1.2.3.4", '"[::1]"']
    assert str(parse_address("203.0.113.7:443")) == "203.0.113.7"
    assert str(parse_address('"[2001:db8::1]:80"')) == "2001:db8::1"
    assert str(parse_address("2001:db8::1")) == "2001:db8::1"
    assert parse_address("unknown") is None


async def edge_client(
    store: FakeStore, policy: EdgePolicy, peer: str
) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    endpoint = webhook_endpoint({"stripe": StripeProvider(SECRET)}, store.writer, policy=policy)
    app.include_router(webhook_router(endpoint))
    transport = httpx.ASGITransport(app=app, client=(peer, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
        yield http


async def send(client: httpx.AsyncClient, event_id: str, forwarded_for: str) -> int:
    body = encode(payment_intent_event(event_id=event_id))
    headers = {"stripe-signature": signature_header(body), "x-forwarded-for": forwarded_for}
    return (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code


async def test_the_resolved_client_feeds_the_rate_limit(store: FakeStore) -> None:
    policy = EdgePolicy(
        4096,
        TokenBuckets(0.001, 1, max_sources=10),
        Allowlist({}),
        clients=resolver([PROXY + "/32"]),
    )
    async for client in edge_client(store, policy, PROXY):
        assert await send(client, "evt_a1", "203.0.113.7") == 200
        assert await send(client, "evt_a2", "203.0.113.7") == 429  # the same client again
        assert await send(client, "evt_b1", "203.0.113.8") == 200  # another client: own bucket


async def test_an_untrusted_peer_cannot_claim_an_allowlisted_address(store: FakeStore) -> None:
    allowed = {"stripe": NETWORKS.validate_python(["203.0.113.0/24"])}
    policy = EdgePolicy(
        4096,
        TokenBuckets(100.0, 100, max_sources=10),
        Allowlist(allowed),
        clients=resolver([PROXY + "/32"]),
    )
    async for outsider in edge_client(store, policy, "198.51.100.9"):
        assert await send(outsider, "evt_out", "203.0.113.7") == 403
    async for proxy in edge_client(store, policy, PROXY):
        assert await send(proxy, "evt_in", "203.0.113.7") == 200
        assert await send(proxy, "evt_spoof", "203.0.113.7, 198.51.100.9") == 403
    assert [row["status"] for row in store.db.rows] == ["rejected", "accepted", "rejected"]
    assert "198.51.100.9" in store.db.rows[2]["error"]
