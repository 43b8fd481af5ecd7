import asyncio
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderWebhookReceived

from .conftest import SECRET, Ingest

pytestmark = pytest.mark.integration


def event(event_id: str, payment_id: str = "pay_int_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": f"pi_{event_id}",
                    "object": "payment_intent",
                    "amount": 4200,
                    "amount_received": 4200,
                    "currency": "usd",
                    "metadata": {"payment_id": payment_id},
                }
            },
        }
    ).encode()


def signed(body: bytes, secret: str = SECRET, age_s: int = 0) -> dict[str, str]:
    t = int(time.time()) - age_s
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "content-type": "application/json",
        "stripe-signature": f"t={t},v1={digest}",
        "authorization": "Bearer must-not-be-stored",
    }


async def requests_for(ingest: Ingest, event_id: str) -> list[Any]:
    return await ingest.rows(
        "SELECT * FROM webhook_requests WHERE provider_event_id = :e ORDER BY id", e=event_id
    )


async def outbox_for(ingest: Ingest, event_id: str) -> list[Any]:
    return await ingest.rows(
        "SELECT * FROM outbox WHERE value::jsonb -> 'payload' ->> 'provider_event_id' = :e",
        e=event_id,
    )


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


async def test_accepted_webhook_is_stored_with_exactly_one_outbox_row(
    client: httpx.AsyncClient, ingest: Ingest
) -> None:
    event_id = new_event_id()
    body = event(event_id)
    response = await client.post("/webhooks/stripe", content=body, headers=signed(body))
    assert response.status_code == 200
    (row,) = await requests_for(ingest, event_id)
    assert (row.status, row.verified, row.provider) == ("accepted", True, "stripe")
    assert (row.body, row.body_size) == (body.decode(), len(body))
    assert row.headers["authorization"] == "[redacted]"
    assert row.headers["stripe-signature"].endswith(",v1=[redacted]")
    (outbox,) = await outbox_for(ingest, event_id)
    assert (outbox.topic, outbox.key) == ("provider.webhooks", "pay_int_1")
    envelope = Envelope.model_validate_json(outbox.value)
    message = ProviderWebhookReceived.model_validate(envelope.payload)
    assert (message.outcome, message.amount, message.currency) == ("succeeded", 4200, "USD")


async def test_redelivery_is_a_duplicate_row_and_no_second_event(
    client: httpx.AsyncClient, ingest: Ingest
) -> None:
    event_id = new_event_id()
    body = event(event_id)
    for _ in range(3):
        response = await client.post("/webhooks/stripe", content=body, headers=signed(body))
        assert response.status_code == 200
    statuses = [r.status for r in await requests_for(ingest, event_id)]
    assert statuses == ["accepted", "duplicate", "duplicate"]
    assert len(await outbox_for(ingest, event_id)) == 1


async def test_concurrent_deliveries_accept_exactly_once(
    client: httpx.AsyncClient, ingest: Ingest
) -> None:
    event_id = new_event_id()
    body = event(event_id)
    responses = await asyncio.gather(
        *(client.post("/webhooks/stripe", content=body, headers=signed(body)) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {200}
    statuses = sorted(r.status for r in await requests_for(ingest, event_id))
    assert statuses == ["accepted"] + ["duplicate"] * 7
    assert len(await outbox_for(ingest, event_id)) == 1


async def test_bad_and_stale_signatures_are_rejected_rows_without_events(
    client: httpx.AsyncClient, ingest: Ingest
) -> None:
    event_id = new_event_id()
    body = event(event_id)
    wrong = await client.post("/webhooks/stripe", content=body, headers=signed(body, "whsec_no"))
    stale = await client.post("/webhooks/stripe", content=body, headers=signed(body, age_s=600))
    for response in (wrong, stale):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_signature"
    rows = await requests_for(ingest, event_id)
    assert [(r.status, r.verified) for r in rows] == [("rejected", False)] * 2
    assert "tolerance" not in rows[0].error
    assert "tolerance" in rows[1].error
    assert await outbox_for(ingest, event_id) == []
    # The genuine delivery afterwards is still accepted.
    response = await client.post("/webhooks/stripe", content=body, headers=signed(body))
    assert response.status_code == 200
    assert len(await outbox_for(ingest, event_id)) == 1


async def test_oversized_body_is_stored_as_rejected_cut_short_with_its_size(
    client: httpx.AsyncClient, ingest: Ingest
) -> None:
    marker = f"big-{uuid.uuid4().hex}"
    body = b"x" * 5000
    response = await client.post(
        "/webhooks/stripe", content=body, headers={**signed(body), "x-marker": marker}
    )
    assert response.status_code == 413
    (row,) = await ingest.rows(
        "SELECT * FROM webhook_requests WHERE headers ->> 'x-marker' = :m", m=marker
    )
    assert (row.status, row.body, row.verified) == ("rejected", "x" * 1024, False)
    assert row.body_size == 5000
