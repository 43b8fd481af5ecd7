"""One trace per payment, collected from every service over OTLP.

A stack of its own exports its spans (OTEL_EXPORTER_OTLP_ENDPOINT) to an OTLP/HTTP
receiver this module runs. Each payment is created with the caller's `traceparent`;
that trace must then hold, without a break, the gateway's request, the outbox
relay's publishes, the orchestrator's and provider-worker's handling, the provider
HTTP call, database statements, and the final event as the gateway consumes it.

The provider's webhook carries no trace header (real providers send none, nor does
the simulator): webhook-ingest's request starts a trace of its own, which the
orchestrator continues when it handles the news; it is found by the payment id on
the orchestrator's span.
"""

from __future__ import annotations

import secrets
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Span:
    service: str
    trace_id: str
    span_id: str
    parent: str
    name: str
    kind: int
    attributes: dict[str, Any]


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


async def test_each_payment_is_one_connected_trace_through_every_service(
    traced_stack: Stack, receiver: tuple[Receiver, str]
) -> None:
    spans = receiver[0]
    simulator = traced_stack.url("provider-simulator")
    payments: dict[str, str] = {}
    async with api(traced_stack) as client:
        for _ in range(PAYMENTS):
            trace_id, caller = secrets.token_hex(16), secrets.token_hex(8)
            client.headers["traceparent"] = f"00-{trace_id}-{caller}-01"
            payment = await create_payment(client)
            payments[payment["id"]] = trace_id
        del client.headers["traceparent"]
        for payment_id in payments:
            await status_becomes(client, payment_id, "captured")

    def complete(trace_id: str) -> list[Span] | None:
        """The trace once the orchestrator has published the payment's final events."""
        trace = spans.traces.get(trace_id, [])
        results = {s.span_id for s in trace if s.name == "ProviderAttemptSucceeded process"}
        finals = [s for s in trace if s.parent in results and s.name.endswith("events publish")]
        return trace if finals and connected(trace) else None

    for payment_id, trace_id in payments.items():

        async def arrived(trace_id: str = trace_id) -> list[Span] | None:
            return complete(trace_id)

        trace = await wait_for(arrived, timeout=15, what=f"the whole trace of {payment_id}")
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

    async def webhooks_handled() -> dict[str, list[Span]] | None:
        found = {}
        for trace in list(spans.traces.values()):
            handled = [
                s
                for s in trace
                if s.service == "orchestrator"
                and s.kind == CONSUMER
                and attribute(s, "payroute.aggregate_id") in payments
                and s.name.startswith("ProviderWebhookReceived")
            ]
            if handled and any(s.service == "webhook-ingest" and s.kind == SERVER for s in trace):
                found[handled[0].attributes["payroute.aggregate_id"]] = trace
        return found if len(found) == len(payments) else None

    webhook_traces = await wait_for(webhooks_handled, timeout=15, what="every payment's webhook")
    for trace in webhook_traces.values():
        assert connected(trace), (
            "webhook-ingest's request, its publish, the orchestrator's handling"
        )
