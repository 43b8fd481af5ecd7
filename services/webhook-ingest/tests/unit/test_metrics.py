"""What webhook-ingest's `/metrics` says: each request's outcome (accepted, duplicate,
or why it was refused), its handling time, and HTTP counts per route template."""

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from pydantic import IPvAnyNetwork, TypeAdapter

from payroute_common.http_metrics import HttpMetricsMiddleware
from webhook_ingest.api import EdgePolicy, webhook_endpoint, webhook_router
from webhook_ingest.fast_path import WebhookFastPath
from webhook_ingest.metrics import OUTCOMES, show_providers
from webhook_ingest.providers.stripe import StripeProvider
from webhook_ingest.rate_limit import TokenBuckets
from webhook_ingest.sources import Allowlist

from .fakes import FakeStore
from .stripe_fixtures import SECRET, encode, payment_intent_event, signature_header

SERVICE = "webhook-ingest-test"
NETWORKS = TypeAdapter(dict[str, list[IPvAnyNetwork]])
LIMIT = 2048


def webhooks(provider: str, outcome: str) -> float:
    labels = {"provider": provider, "outcome": outcome}
    return REGISTRY.get_sample_value("payroute_webhooks_total", labels) or 0.0


def timed(provider: str) -> float:
    labels = {"provider": provider}
    return REGISTRY.get_sample_value("payroute_webhook_seconds_count", labels) or 0.0


def http(route: str, method: str, status: str) -> float:
    labels = {"service": SERVICE, "route": route, "method": method, "status": status}
    return REGISTRY.get_sample_value("payroute_http_requests_total", labels) or 0.0


def build(
    store: FakeStore, *, burst: int = 100, allowed: dict[str, list[str]] | None = None
) -> httpx.AsyncClient:
    """The app as app.py wires it: the fast path inside the HTTP metrics middleware."""
    policy = EdgePolicy(
        max_body_bytes=LIMIT,
        limiter=TokenBuckets(0.001, burst, max_sources=10),
        allowlist=Allowlist(NETWORKS.validate_python(allowed or {})),
    )
    endpoint = webhook_endpoint({"stripe": StripeProvider(SECRET)}, store.writer, policy=policy)
    api = FastAPI()
    api.include_router(webhook_router(endpoint))
    api.add_api_route("/things/{thing_id}", lambda thing_id: {"thing": thing_id})
    app = HttpMetricsMiddleware(WebhookFastPath(api, endpoint), service=SERVICE)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")


@pytest.fixture
async def client(store: FakeStore) -> AsyncIterator[httpx.AsyncClient]:
    async with build(store) as http_client:
        yield http_client


async def post(client: httpx.AsyncClient, body: bytes, signature: str | None) -> int:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["stripe-signature"] = signature
    return (await client.post("/webhooks/stripe", content=body, headers=headers)).status_code


async def test_each_outcome_is_counted_under_its_name(client: httpx.AsyncClient) -> None:
    before = {outcome: webhooks("stripe", outcome) for outcome in OUTCOMES}
    body = encode(payment_intent_event(event_id="evt_counted"))
    stale = int(time.time()) - 3600

    assert await post(client, body, signature_header(body)) == 200
    assert await post(client, body, signature_header(body)) == 200
    assert await post(client, body, signature_header(body, secret="whsec_other")) == 400
    assert await post(client, body, signature_header(body, timestamp=stale)) == 400
    assert await post(client, b"x" * (LIMIT + 1), None) == 413
    assert (await client.post("/webhooks/acme", content=b"{}")).status_code == 404

    after = {outcome: webhooks("stripe", outcome) - before[outcome] for outcome in OUTCOMES}
    assert {outcome: n for outcome, n in after.items() if n} == {
        "accepted": 1,
        "duplicate": 1,
        "bad_signature": 1,
        "stale_signature": 1,
        "too_large": 1,
    }
    assert webhooks("unknown", "unknown_provider") >= 1


async def test_refusals_at_the_edge_are_counted(store: FakeStore) -> None:
    not_allowed, limited = webhooks("stripe", "not_allowed"), webhooks("stripe", "rate_limited")
    body = encode(payment_intent_event(event_id="evt_edge"))
    async with build(store, burst=1, allowed={"stripe": ["203.0.113.0/24"]}) as client:
        assert await post(client, body, signature_header(body)) == 403
        assert await post(client, body, signature_header(body)) == 429

    assert webhooks("stripe", "not_allowed") == not_allowed + 1
    assert webhooks("stripe", "rate_limited") == limited + 1


async def test_handling_time_is_observed_per_request(client: httpx.AsyncClient) -> None:
    before = timed("stripe")
    body = encode(payment_intent_event(event_id="evt_timed"))
    await post(client, body, signature_header(body))
    await post(client, body, None)
    assert timed("stripe") == before + 2


async def test_http_requests_are_counted_by_route_template(client: httpx.AsyncClient) -> None:
    webhook = http("/webhooks/{provider}", "POST", "400")
    thing = http("/things/{thing_id}", "GET", "200")
    unmatched = http("unmatched", "GET", "404")

    await post(client, encode(payment_intent_event()), None)
    await client.get("/things/th_1")
    await client.get("/things/th_2")
    await client.get("/nowhere/at/all")

    assert http("/webhooks/{provider}", "POST", "400") == webhook + 1
    assert http("/things/{thing_id}", "GET", "200") == thing + 2
    assert http("unmatched", "GET", "404") == unmatched + 1
    labels = {"service": SERVICE, "route": "/things/{thing_id}", "method": "GET"}
    assert REGISTRY.get_sample_value("payroute_http_request_seconds_count", labels)


def test_configured_providers_show_every_outcome_from_the_start() -> None:
    show_providers(["fresh_provider"])
    for outcome in OUTCOMES:
        labels = {"provider": "fresh_provider", "outcome": outcome}
        assert REGISTRY.get_sample_value("payroute_webhooks_total", labels) == 0.0
