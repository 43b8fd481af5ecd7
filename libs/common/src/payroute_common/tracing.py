"""OpenTelemetry: one trace follows a payment across HTTP and Kafka hops.

The trace context of the code that stages a message is written into the
message's Kafka headers (W3C `traceparent`) through the outbox; the relay's
publish span and then a consumer's process span continue that trace. Spans are
exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; trace and
span ids are in every log line either way.

When exporting, provider and other outgoing HTTP calls (httpx; aiohttp, which
the Stripe SDK uses) and database statements (asyncpg, under SQLAlchemy or
called directly) get spans from their OpenTelemetry instrumentations. Work that
no request or message started (pollers, health checks, relay queries) is not
sampled: its client spans would each be a trace of one span. When nothing is
exported, no instrumentation is installed and spans are ids only.

A provider's webhook carries no trace header, so webhook-ingest's request starts
a trace of its own, which the orchestrator continues. Providers do echo the
metadata Payroute sends with an object: the orchestrator stores `trace_metadata()`
(the trace current when an attempt starts) on the attempt and sends it in the
attempt's metadata, every re-send the same, so webhook-ingest can `rejoin_trace`
with the traceparent it finds there, putting the webhook's event back in the
payment's trace, linked to the webhook request's own.
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from payroute_common.trace_sampling import requested_work_sampler

_tracer = trace.get_tracer("payroute")
_PROPAGATED = ("traceparent", "tracestate")
_PROPAGATED_BYTES = tuple(name.encode() for name in _PROPAGATED)
# Set by configure_tracing when spans go nowhere: ids are then made here, without
# the SDK's sampler and span machinery (a tenth of a millisecond per span).
_ids_only = False


def exporting() -> bool:
    """Whether spans go anywhere (an OTLP endpoint is configured)."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def configure_tracing(service: str) -> None:
    global _ids_only  # noqa: PLW0603 - decided once, at start-up
    resource = Resource.create({"service.name": service})
    _ids_only = not exporting()
    if _ids_only:
        # Nowhere to send spans: record none. Trace context is still created,
        # propagated and logged (non-recording spans carry valid ids).
        trace.set_tracer_provider(TracerProvider(resource=resource, sampler=ALWAYS_OFF))
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )

    # OTEL_TRACES_SAMPLER, when set, replaces the default below.
    sampler = None if os.environ.get("OTEL_TRACES_SAMPLER") else requested_work_sampler()
    provider = TracerProvider(resource=resource, sampler=sampler)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _instrument_clients()


def _instrument_clients() -> None:
    """Spans for outgoing HTTP calls and database statements (once per process)."""
    from opentelemetry.instrumentation.aiohttp_client import (  # noqa: PLC0415
        AioHttpClientInstrumentor,
    )
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor  # noqa: PLC0415

    for instrumentor in (HTTPXClientInstrumentor(), AioHttpClientInstrumentor()):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()
    asyncpg = AsyncPGInstrumentor(capture_parameters=False)  # type: ignore[no-untyped-call]
    if not asyncpg.is_instrumented_by_opentelemetry:
        asyncpg.instrument()


def current_trace_headers() -> dict[str, str]:
    """The current trace context as message headers."""
    if _ids_only:  # W3C traceparent written directly (no tracestate or baggage in use)
        span = trace.get_current_span().get_span_context()
        if not span.is_valid:
            return {}
        flags = int(span.trace_flags)
        return {"traceparent": f"00-{span.trace_id:032x}-{span.span_id:016x}-{flags:02x}"}
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextlib.contextmanager
def continue_trace(
    headers: Sequence[tuple[str, bytes]],
    name: str,
    attributes: dict[str, str] | None = None,
) -> Iterator[None]:
    """Handle one consumed message inside the trace its producer started."""
    carrier = {key: value.decode("latin-1") for key, value in headers if key in _PROPAGATED}
    with _span(carrier, name, SpanKind.CONSUMER, attributes):
        yield


@contextlib.contextmanager
def publishing(headers: dict[str, str], topic: str) -> Iterator[dict[str, str]]:
    """The relay's send of one staged message: a producer span in the trace the
    message was staged in; yields the headers to send (naming that span)."""
    if _ids_only:
        yield headers
        return
    context = propagate.extract(headers) if headers else otel_context.Context()
    attributes = {"messaging.system": "kafka", "messaging.destination.name": topic}
    with _tracer.start_as_current_span(
        f"{topic} publish", context=context, kind=SpanKind.PRODUCER, attributes=attributes
    ):
        sent = dict(headers)
        propagate.inject(sent)
        yield sent


def trace_metadata() -> dict[str, str]:
    """The current trace as provider metadata (`{"traceparent": ...}`), which
    providers echo in their webhooks; empty when there is no current trace."""
    traceparent = current_trace_headers().get("traceparent")
    return {"traceparent": traceparent} if traceparent else {}


@contextlib.contextmanager
def rejoin_trace(traceparent: str | None, name: str) -> Iterator[None]:
    """Continue, from inside the current span, the trace `traceparent` names (a
    webhook's echoed metadata): a span there, linked to the current one (the
    webhook's request), so what is staged inside travels in the payment's trace.
    Without a valid `traceparent`, a child of the current span."""
    remote = propagate.extract({"traceparent": traceparent}) if traceparent else None
    if remote is None or not trace.get_current_span(remote).get_span_context().is_valid:
        with _span(current_trace_headers(), name, SpanKind.INTERNAL):
            yield
        return
    here = trace.get_current_span().get_span_context()
    links = [Link(here)] if here.is_valid else None
    with _span({"traceparent": traceparent or ""}, name, SpanKind.INTERNAL, links=links):
        yield


@contextlib.contextmanager
def _span(
    carrier: dict[str, str],
    name: str,
    kind: SpanKind,
    attributes: dict[str, str] | None = None,
    links: list[Link] | None = None,
) -> Iterator[None]:
    """A span in the trace `carrier` names (or a new trace), current while inside."""
    context = propagate.extract(carrier) if carrier else otel_context.Context()
    if not _ids_only:
        with _tracer.start_as_current_span(
            name, context=context, kind=kind, attributes=attributes, links=links
        ):
            yield
        return
    parent = trace.get_current_span(context).get_span_context()
    span = NonRecordingSpan(
        SpanContext(
            trace_id=parent.trace_id if parent.is_valid else random.getrandbits(128),
            span_id=random.getrandbits(64),
            is_remote=False,
            trace_flags=parent.trace_flags if parent.is_valid else TraceFlags(TraceFlags.DEFAULT),
            trace_state=parent.trace_state if parent.is_valid else None,
        )
    )
    token = otel_context.attach(trace.set_span_in_context(span, context))
    try:
        yield
    finally:
        otel_context.detach(token)


@contextlib.contextmanager
def serve_trace(headers: Iterable[tuple[bytes, bytes]], name: str) -> Iterator[None]:
    """Handle one HTTP request inside the caller's trace (or a new one)."""
    carrier = {
        key.decode("latin-1"): value.decode("latin-1")
        for key, value in headers
        if key in _PROPAGATED_BYTES
    }
    with _span(carrier, name, SpanKind.SERVER):
        yield


def add_trace_ids(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the current trace and span ids on every log line."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event
