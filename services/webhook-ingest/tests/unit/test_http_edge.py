from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from webhook_ingest.api import EdgePolicy, webhook_endpoint, webhook_router
from webhook_ingest.fast_path import WebhookFastPath, provider_in
from webhook_ingest.providers.stripe import StripeProvider
from webhook_ingest.rate_limit import TokenBuckets
from webhook_ingest.sources import Allowlist

from .fakes import FakeStore, FakeWebhookStore
from .stripe_fixtures import SECRET, encode, payment_intent_event, signature_header

LIMIT = 2048
KEEP = 512


@pytest.fixture
def db(store: FakeStore) -> FakeWebhookStore:
    return store.db


@pytest.fixture
async def client(store: FakeStore) -> AsyncIterator[httpx.AsyncClient]:
    policy = EdgePolicy(
        max_body_bytes=LIMIT,
        limiter=TokenBuckets(100.0, 100, max_sources=10),
        allowlist=Allowlist({}),
        unverified_body_bytes=KEEP,
    )
    endpoint = webhook_endpoint({"stripe": StripeProvider(SECRET)}, store.writer, policy=policy)
    api = FastAPI()
    api.include_router(webhook_router(endpoint))
    api.add_api_route("/elsewhere", lambda: {"served_by": "fastapi"})
    # As the service runs: webhooks by the fast path, the rest by FastAPI.
    transport = httpx.ASGITransport(app=WebhookFastPath(api, endpoint))
    async with httpx.AsyncClient(transport=transport, base_url="http://ingest") as http:
        yield http


async def post(client: httpx.AsyncClient, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["stripe-signature"] = signature
    return await client.post("/webhooks/stripe", content=body, headers=headers)


async def test_valid_webhook_answers_received(client: httpx.AsyncClient) -> None:
    body = encode(payment_intent_event())
    response = await post(client, body, signature_header(body))
    assert response.status_code == 200
    assert response.json() == {"received": True}


async def test_duplicate_answers_200_too(client: httpx.AsyncClient, db: FakeWebhookStore) -> None:
    body = encode(payment_intent_event())
    for _ in range(2):
        assert (await post(client, body, signature_header(body))).status_code == 200
    assert db.statuses() == ["accepted", "duplicate"]


async def test_missing_signature_is_a_400_error_object(client: httpx.AsyncClient) -> None:
    response = await post(client, encode(payment_intent_event()), None)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "invalid_signature")
    assert error["message"]


async def test_unknown_provider_is_404_and_stored_rejected_with_its_body_cut(
    client: httpx.AsyncClient, db: FakeWebhookStore
) -> None:
    body = b"y" * (KEEP + 500)
    response = await client.post("/webhooks/acme", content=body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_provider"
    (row,) = db.rows
    assert (row["provider"], row["status"], row["error"]) == (
        "acme",
        "rejected",
        "unknown provider",
    )
    assert (row["body"], row["body_size"]) == ("y" * KEEP, KEEP + 500)


async def test_oversized_body_is_413_and_stored_cut_with_its_size(
    client: httpx.AsyncClient, db: FakeWebhookStore
) -> None:
    body = b'{"pad": "' + b"x" * LIMIT + b'"}'
    response = await post(client, body, signature_header(body))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    (row,) = db.rows
    assert (row["status"], row["body"]) == ("rejected", body[:KEEP].decode())
    assert row["body_size"] == len(body)


async def test_oversized_streamed_body_without_length_is_413(
    client: httpx.AsyncClient, db: FakeWebhookStore
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 1000

    response = await client.post("/webhooks/stripe", content=chunks())
    assert response.status_code == 413
    (row,) = db.rows
    assert row["body"] == "x" * KEEP
    assert row["body_size"] > LIMIT  # as far as it was read


async def test_a_badly_signed_body_is_cut_and_an_accepted_one_kept_whole(
    client: httpx.AsyncClient, db: FakeWebhookStore
) -> None:
    body = encode(payment_intent_event(description="d" * 1500))
    assert len(body) > KEEP
    assert (await post(client, body, "t=1,v1=00")).status_code == 400
    assert (await post(client, body, signature_header(body))).status_code == 200
    refused, accepted = db.rows
    assert (refused["status"], len(refused["body"]), refused["body_size"]) == (
        "rejected",
        KEEP,
        len(body),
    )
    assert (accepted["status"], accepted["body"], accepted["body_size"]) == (
        "accepted",
        body.decode(),
        len(body),
    )


async def test_webhooks_carry_a_request_id_and_other_routes_reach_the_app(
    client: httpx.AsyncClient,
) -> None:
    body = encode(payment_intent_event())
    response = await post(client, body, signature_header(body))
    assert response.headers["x-request-id"].startswith("req_")
    assert (await client.get("/elsewhere")).json() == {"served_by": "fastapi"}
    assert (await client.get("/webhooks/stripe")).status_code == 405


def test_only_one_path_segment_names_a_provider() -> None:
    assert provider_in("/webhooks/stripe") == "stripe"
    assert provider_in("/webhooks/") is None
    assert provider_in("/webhooks/stripe/extra") is None
    assert provider_in("/health") is None
