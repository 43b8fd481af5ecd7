"""OpenTelemetry: one trace follows a payment across HTTP and Kafka hops.

The trace context of the code that stages a message is written into the
message's Kafka headers (W3C `traceparent`) through the outbox; a consumer
continues that trace while it handles the message. Spans are exported over
OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; trace and span ids are in
every log line either way.
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
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

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

    provider = TracerProvider(resource=resource)  # OTEL_TRACES_SAMPLER applies
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)


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
def continue_trace(headers: Sequence[tuple[str, bytes]], name: str) -> Iterator[None]:
    """Handle one consumed message inside the trace its producer started."""
    carrier = {key: value.decode("latin-1") for key, value in headers if key in _PROPAGATED}
    with _span(carrier, name, SpanKind.CONSUMER):
        yield


@contextlib.contextmanager
def _span(carrier: dict[str, str], name: str, kind: SpanKind) -> Iterator[None]:
    """A span in the trace `carrier` names (or a new trace), current while inside."""
    context = propagate.extract(carrier) if carrier else otel_context.Context()
    if not _ids_only:
        with _tracer.start_as_current_span(name, context=context, kind=kind):
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
