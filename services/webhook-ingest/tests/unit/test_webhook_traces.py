"""A webhook rejoins its payment's trace: the adapters send the payment's
`traceparent` as metadata with each authorization, the provider echoes it with the
object, and webhook-ingest stores (and so publishes) the event inside that trace,
linked to the request's own. Without one, the request's trace carries the event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import get_current_span

from payroute_common import tracing
from payroute_common.clock import utcnow
from webhook_ingest import handlers
from webhook_ingest.domain import IncomingWebhook
from webhook_ingest.providers import WebhookProvider
from webhook_ingest.providers.maya import MayaProvider
from webhook_ingest.providers.paymongo import PaymongoProvider
from webhook_ingest.providers.stripe import StripeProvider
from webhook_ingest.providers.xendit import XenditProvider

from .fakes import FakeStore
from .stripe_fixtures import SECRET, encode, payment_intent_event, signature_header

PAYMENT_TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PAYMENT_SPAN_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{PAYMENT_TRACE_ID}-{PAYMENT_SPAN_ID}-01"
METADATA = {"payment_id": "pay_1", "attempt_id": "att_1", "traceparent": TRACEPARENT}


def stripe_event(metadata: dict[str, Any]) -> bytes:
    event = payment_intent_event()
    event["data"]["object"]["metadata"] = metadata
    return encode(event)


def paymongo_event(metadata: dict[str, Any]) -> bytes:
    payment = {
        "id": "pay_abc",
        "type": "payment",
        "attributes": {
            "amount": 25_000,
            "currency": "PHP",
            "status": "paid",
            "payment_intent_id": "pi_xyz",
            "metadata": metadata,
        },
    }
    attributes = {"type": "payment.paid", "livemode": False, "data": payment}
    return json.dumps({"data": {"id": "evt_1", "type": "event", "attributes": attributes}}).encode()


def xendit_callback(metadata: dict[str, Any]) -> bytes:
    data = {
        "id": "py-1",
        "payment_request_id": "pr-1",
        "amount": 255,
        "currency": "PHP",
        "status": "SUCCEEDED",
        "metadata": metadata,
    }
    return json.dumps({"event": "payment.succeeded", "data": data}).encode()


def maya_notification(metadata: dict[str, Any]) -> bytes:
    payment = {
        "id": "chk_1",
        "status": "PAYMENT_SUCCESS",
        "amount": 255,
        "currency": "PHP",
        "requestReferenceNumber": "att_1",
        "metadata": metadata,
    }
    return json.dumps(payment).encode()


PROVIDERS: list[tuple[WebhookProvider, Any]] = [
    (StripeProvider(SECRET), stripe_event),
    (PaymongoProvider("whsk_test"), paymongo_event),
    (XenditProvider("token"), xendit_callback),
    (MayaProvider(), maya_notification),
]


@pytest.mark.parametrize(("provider", "body"), PROVIDERS, ids=lambda p: getattr(p, "name", ""))
def test_each_provider_reads_the_traceparent_its_object_echoes(
    provider: WebhookProvider, body: Any
) -> None:
    message, traceparent = provider.parse_traced(body(METADATA), utcnow())
    assert traceparent == TRACEPARENT
    assert message == provider.parse(body(METADATA), message.received_at)
    assert message.payment_id == "pay_1"


@pytest.mark.parametrize(("provider", "body"), PROVIDERS, ids=lambda p: getattr(p, "name", ""))
@pytest.mark.parametrize(
    "metadata",
    [{"payment_id": "pay_1"}, {"traceparent": 7}, {"traceparent": ""}, {"traceparent": "0" * 999}],
    ids=["absent", "not-text", "empty", "too-long"],
)
def test_without_a_usable_traceparent_there_is_none(
    provider: WebhookProvider, body: Any, metadata: dict[str, Any]
) -> None:
    assert provider.parse_traced(body(metadata), utcnow())[1] is None


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Spans recorded, as when exporting: the SDK behind payroute_common.tracing."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    # A service configured earlier in this process may have chosen ids-only spans.
    monkeypatch.setattr(tracing, "_ids_only", False)
    yield exporter
    provider.shutdown()


def webhook(body: bytes) -> IncomingWebhook:
    headers = {"content-type": "application/json", "stripe-signature": signature_header(body)}
    return IncomingWebhook("stripe", body, headers, utcnow())


async def receive_as_a_request(body: bytes, store: FakeStore) -> str:
    """Take the webhook inside a request's span, as the route does; that span's trace id."""
    with tracing.serve_trace([], "POST /webhooks/{provider}"):
        request_trace = format(get_current_span().get_span_context().trace_id, "032x")
        outcome = await handlers.receive(
            webhook(body), provider=StripeProvider(SECRET), journal=store.writer
        )
    assert outcome.status == "accepted"
    return request_trace


def trace_id_of(headers: dict[str, str]) -> str:
    return headers["traceparent"].split("-")[1]


def named(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    (span,) = [s for s in spans.get_finished_spans() if s.name == name]
    return span


async def test_the_event_is_published_in_the_payments_trace(
    store: FakeStore, spans: InMemorySpanExporter
) -> None:
    request_trace = await receive_as_a_request(stripe_event(METADATA), store)

    (headers,) = store.db.published_headers
    assert trace_id_of(headers) == PAYMENT_TRACE_ID != request_trace
    rejoined = named(spans, "stripe webhook")
    assert rejoined.parent is not None
    assert format(rejoined.parent.span_id, "016x") == PAYMENT_SPAN_ID
    assert headers["traceparent"].split("-")[2] == format(rejoined.context.span_id, "016x")
    request = named(spans, "POST /webhooks/{provider}")
    assert [link.context.span_id for link in rejoined.links] == [request.context.span_id]


@pytest.mark.parametrize(
    "metadata",
    [{"payment_id": "pay_1"}, {"payment_id": "pay_1", "traceparent": "00-not-a-trace-01"}],
    ids=["none-echoed", "unreadable"],
)
async def test_otherwise_the_event_is_published_in_the_requests_trace(
    store: FakeStore, spans: InMemorySpanExporter, metadata: dict[str, str]
) -> None:
    request_trace = await receive_as_a_request(stripe_event(metadata), store)

    (headers,) = store.db.published_headers
    assert trace_id_of(headers) == request_trace
