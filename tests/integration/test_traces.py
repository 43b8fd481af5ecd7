"""One trace per payment, collected from every service over OTLP.

A stack of its own exports its spans (OTEL_EXPORTER_OTLP_ENDPOINT) to an OTLP/HTTP
receiver this module runs. Each payment is created with the caller's `traceparent`;
that trace must then hold, without a break, the gateway's request, the outbox
relay's publishes, the orchestrator's and provider-worker's handling, the provider
HTTP call, database statements, and the final event as the gateway consumes it.

The provider's webhook carries no trace header (real providers send none, nor does
the simulator): webhook-ingest's request starts a trace of its own. The payment's
trace comes back as the `traceparent` Payroute put in the provider object's metadata,
which the provider echoes; webhook-ingest stores and publishes the event inside that
trace (a span there, linked to the request's), and the orchestrator handles it there.
So a wallet payment completed by webhook is one connected trace too, from the API
call through the webhook to its final event.
"""

from __future__ import annotations

import secrets
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from payroute_devstack.infra import Infra
from payroute_devstack.plan import session_plan
from payroute_devstack.stack import Stack, start_stack
from payroute_devstack.testing import whole_system_environ

from .helpers import api, create_payment, status_becomes, wait_for

pytestmark = pytest.mark.integration

PAYMENTS = 3
SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5
WAIT = {"Prefer": "wait=10"}
GCASH = {
    "amount": 25_000,
    "currency": "PHP",
    "payment_method": {"type": "gcash"},
    "return_url": "https://shop.example/back",
}


@dataclass(frozen=True)
class Span:
    service: str
    trace_id: str
    span_id: str
    parent: str
    name: str
    kind: int
    attributes: dict[str, Any]
    # (trace id, span id) of each span this one links to.
    links: tuple[tuple[str, str], ...] = ()


def _value(value: AnyValue) -> Any:
    return getattr(value, value.WhichOneof("value") or "string_value")


@dataclass
class Receiver:
    """Every span exported to it, by trace id."""

    traces: dict[str, list[Span]] = field(default_factory=lambda: defaultdict(list))

    async def export(self, request: web.Request) -> web.Response:
        body = ExportTraceServiceRequest.FromString(await request.read())
        for resource_spans in body.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for s in scope_spans.spans:
                    span = Span(
                        service=str(resource.get("service.name")),
                        trace_id=s.trace_id.hex(),
                        span_id=s.span_id.hex(),
                        parent=s.parent_span_id.hex(),
                        name=s.name,
                        kind=s.kind,
                        attributes={a.key: _value(a.value) for a in s.attributes},
                        links=tuple((k.trace_id.hex(), k.span_id.hex()) for k in s.links),
                    )
                    self.traces[span.trace_id].append(span)
        return web.Response(
            body=ExportTraceServiceResponse().SerializeToString(),
            content_type="application/x-protobuf",
        )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    spans = Receiver()
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/v1/traces", spans.export)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield spans, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def traced_stack(infra: Infra, receiver: tuple[Receiver, str]) -> AsyncIterator[Stack]:
    """A stack of its own exporting every span to the receiver, a fifth of a second apart."""
    run_dir = Path(tempfile.mkdtemp(prefix="payroute-traces-"))
    plan = session_plan(infra.postgres_dsn)
    env = {
        **whole_system_environ(),
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver[1],
        "OTEL_BSP_SCHEDULE_DELAY": "200",
        "GATEWAY_API_PROVIDER_WORKER_URL": plan.url("provider-worker"),
    }
    stack = await start_stack(plan, infra, run_dir, base_env=env)
    try:
        yield stack
    finally:
        await stack.stop()
        await stack.drop_databases()


def connected(spans: list[Span]) -> bool:
    """Every span's parent is in the trace, except the caller's (the one root)."""
    ids = {s.span_id for s in spans}
    return len({s.parent for s in spans if s.parent not in ids}) == 1


def attribute(span: Span, *names: str) -> Any:
    return next((span.attributes[n] for n in names if n in span.attributes), None)


def new_traceparent() -> tuple[str, str]:
    """A caller's trace: (trace id, traceparent header)."""
    trace_id = secrets.token_hex(16)
    return trace_id, f"00-{trace_id}-{secrets.token_hex(8)}-01"


def webhook_in_trace(spans: Receiver, trace: list[Span]) -> bool:
    """The provider's webhook is in the payment's trace: webhook-ingest's span there,
    linked to the webhook request's own span (in the request's trace), the event's
    publish under it, and the orchestrator's handling of that event."""
    ingest = {
        s.span_id: s
        for s in trace
        if s.service == "webhook-ingest" and s.kind != SERVER and s.name.endswith(" webhook")
    }
    publishes = {
        s.span_id
        for s in trace
        if s.service == "webhook-ingest" and s.kind == PRODUCER and s.parent in ingest
    }
    handled = [
        s
        for s in trace
        if s.service == "orchestrator"
        and s.kind == CONSUMER
        and s.name.endswith("ProviderWebhookReceived process")
        and s.parent in publishes
    ]
    requests = {
        (s.trace_id, s.span_id)
        for span in ingest.values()
        for trace_id, _ in span.links
        for s in spans.traces.get(trace_id, [])
        if s.service == "webhook-ingest" and s.kind == SERVER
    }
    linked = all(set(span.links) & requests for span in ingest.values())
    return bool(handled) and linked and connected(trace)


def trace_where(
    spans: Receiver, trace_id: str, done: Callable[[list[Span]], bool]
) -> Callable[[], Awaitable[list[Span] | None]]:
    """A probe for wait_for: the trace once `done` holds for it."""

    async def arrived() -> list[Span] | None:
        trace = spans.traces.get(trace_id, [])
        return trace if done(trace) else None

    return arrived


async def test_each_payment_is_one_connected_trace_through_every_service(
    traced_stack: Stack, receiver: tuple[Receiver, str]
) -> None:
    spans = receiver[0]
    simulator = traced_stack.url("provider-simulator")
    payments: dict[str, str] = {}
    async with api(traced_stack) as client:
        for _ in range(PAYMENTS):
            trace_id, client.headers["traceparent"] = new_traceparent()
            payment = await create_payment(client)
            payments[payment["id"]] = trace_id
        del client.headers["traceparent"]
        for payment_id in payments:
            await status_becomes(client, payment_id, "captured")

    def complete(trace_id: str) -> list[Span] | None:
        """The trace once the orchestrator has published the payment's final events."""
        trace = spans.traces.get(trace_id, [])
        # The worker's answer or the provider's webhook, whichever came first, captured it.
        news = ("ProviderAttemptSucceeded process", "ProviderWebhookReceived process")
        results = {s.span_id for s in trace if s.name in news}
        finals = [s for s in trace if s.parent in results and s.name.endswith("events publish")]
        return trace if finals and connected(trace) else None

    for payment_id, trace_id in payments.items():

        async def arrived(trace_id: str = trace_id) -> list[Span] | None:
            return complete(trace_id)

        try:
            # Services export in batches every few seconds; a loaded machine is slower.
            trace = await wait_for(arrived, timeout=45, what=f"the whole trace of {payment_id}")
        except AssertionError:
            seen = spans.traces.get(trace_id, [])
            story = sorted(f"{s.service}: {s.name}" for s in seen)
            pytest.fail(f"{payment_id}: connected={connected(seen)} spans={story}")
        services = {s.service for s in trace}
        assert {"gateway-api", "orchestrator", "provider-worker"} <= services, services
        names = {(s.service, s.name) for s in trace}
        assert ("gateway-api", "POST /v1/payments") in names
        for service, name in [
            ("orchestrator", "CreatePayment process"),
            ("provider-worker", "AuthorizePayment process"),
            ("provider-worker", "provider.results publish"),
            ("orchestrator", "ProviderAttemptSucceeded process"),
        ]:
            assert any(s.service == service and s.name.endswith(name) for s in trace), name
        publishes = [s for s in trace if s.kind == PRODUCER]
        assert {s.service for s in publishes} >= {"gateway-api", "orchestrator", "provider-worker"}
        provider_calls = [
            s
            for s in trace
            if s.service == "provider-worker"
            and s.kind == CLIENT
            and str(attribute(s, "url.full", "http.url") or "").startswith(simulator)
        ]
        assert provider_calls, "the provider HTTP call has its span"
        statements = [
            s for s in trace if attribute(s, "db.system", "db.system.name") == "postgresql"
        ]
        assert {s.service for s in statements} >= {"gateway-api", "provider-worker"}

    for payment_id, trace_id in payments.items():
        await wait_for(
            trace_where(spans, trace_id, lambda trace: webhook_in_trace(spans, trace)),
            timeout=15,
            what=f"the provider's webhook of {payment_id} in its trace",
        )


async def test_a_wallet_payment_completed_by_webhook_is_one_connected_trace(
    traced_stack: Stack, receiver: tuple[Receiver, str]
) -> None:
    spans = receiver[0]
    trace_id, traceparent = new_traceparent()
    async with api(traced_stack) as client:
        created = await client.post(
            "/v1/payments", json=GCASH, headers={**WAIT, "traceparent": traceparent}
        )
        assert created.status_code == 201, created.text
        payment = created.json()
        assert (payment["status"], payment["provider"]) == ("requires_action", "paymongo")
        async with httpx.AsyncClient(timeout=10) as browser:  # the customer approves
            await browser.get(payment["next_action"]["redirect_url"])
        await status_becomes(client, payment["id"], "captured")

    def finished(trace: list[Span]) -> bool:
        """The webhook's news handled in the trace, and the capture it led to published."""
        handled = {s.span_id for s in trace if s.name.endswith("ProviderWebhookReceived process")}
        finals = [s for s in trace if s.parent in handled and s.name.endswith("events publish")]
        return bool(finals) and webhook_in_trace(spans, trace)

    trace = await wait_for(
        trace_where(spans, trace_id, finished), timeout=15, what="the wallet payment's trace"
    )
    assert {"gateway-api", "orchestrator", "provider-worker", "webhook-ingest"} <= {
        s.service for s in trace
    }
    assert ("gateway-api", "POST /v1/payments") in {(s.service, s.name) for s in trace}
    ingest = [s for s in trace if s.service == "webhook-ingest"]
    assert {s.name for s in ingest} >= {"paymongo webhook"}, ingest
    assert not [s for s in ingest if s.kind == SERVER], "the request's span stays in its own trace"
