"""With spans exported: the relay's publish span sits between the staging code and the
consumer, a webhook can rejoin its payment's trace, and every log line names its trace."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from payroute_common import tracing
from payroute_common.logs import configure_logging
from payroute_common.trace_sampling import requested_work_sampler

PAYMENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
PAYMENT_SPAN = "b7ad6b7169203331"


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=requested_work_sampler())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    monkeypatch.setattr(tracing, "_ids_only", False)
    return exporter


def test_the_relay_publishes_inside_the_staging_trace_and_the_consumer_follows_it(
    exported: InMemorySpanExporter,
) -> None:
    staged = {"traceparent": f"00-{PAYMENT_TRACE}-{PAYMENT_SPAN}-01"}

    with tracing.publishing(staged, "payment.commands") as sent:
        pass
    record_headers = [(k, v.encode()) for k, v in sent.items()]
    with tracing.continue_trace(record_headers, "CreatePayment process"):
        pass

    publish, process = exported.get_finished_spans()
    assert publish.kind == SpanKind.PRODUCER
    assert process.kind == SpanKind.CONSUMER
    assert publish.context.trace_id == process.context.trace_id == int(PAYMENT_TRACE, 16)
    assert publish.parent is not None
    assert publish.parent.span_id == int(PAYMENT_SPAN, 16)
    assert process.parent is not None
    assert process.parent.span_id == publish.context.span_id
    assert publish.attributes == {
        "messaging.system": "kafka",
        "messaging.destination.name": "payment.commands",
    }


def test_without_export_the_relay_sends_the_staged_headers_as_they_are(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    tracing.configure_tracing("test")
    staged = {"traceparent": f"00-{PAYMENT_TRACE}-{PAYMENT_SPAN}-01"}
    with tracing.publishing(staged, "payment.commands") as sent:
        assert sent is staged


def test_a_webhook_rejoins_its_payments_trace_linked_to_its_request(
    exported: InMemorySpanExporter,
) -> None:
    with tracing.serve_trace([], "POST /webhooks/stripe"):
        request = trace.get_current_span().get_span_context()
        with tracing.rejoin_trace(f"00-{PAYMENT_TRACE}-{PAYMENT_SPAN}-01", "webhook accepted"):
            staged = tracing.current_trace_headers()["traceparent"]

    rejoined = exported.get_finished_spans()[0]
    assert rejoined.context.trace_id == int(PAYMENT_TRACE, 16)
    assert staged.split("-")[1] == PAYMENT_TRACE
    assert [link.context.span_id for link in rejoined.links] == [request.span_id]


def test_a_webhook_without_a_trace_stays_in_its_requests(
    exported: InMemorySpanExporter,
) -> None:
    with tracing.serve_trace([], "POST /webhooks/stripe"):
        request = trace.get_current_span().get_span_context()
        with tracing.rejoin_trace("not-a-traceparent", "webhook accepted"):
            inner = trace.get_current_span().get_span_context()
    assert inner.trace_id == request.trace_id


def test_trace_metadata_names_the_current_trace() -> None:
    tracing.configure_tracing("test")
    assert tracing.trace_metadata() == {}
    with tracing.continue_trace(
        [("traceparent", f"00-{PAYMENT_TRACE}-{PAYMENT_SPAN}-01".encode())], "x"
    ):
        metadata = tracing.trace_metadata()
    assert metadata["traceparent"].split("-")[1] == PAYMENT_TRACE


def test_client_spans_nothing_asked_for_are_not_recorded(exported: InMemorySpanExporter) -> None:
    tracer = tracing._tracer
    with tracer.start_as_current_span("SELECT poll", kind=SpanKind.CLIENT):
        pass
    with (
        tracer.start_as_current_span("GET /v1/payments", kind=SpanKind.SERVER),
        tracer.start_as_current_span("SELECT payment", kind=SpanKind.CLIENT),
    ):
        pass
    assert sorted(s.name for s in exported.get_finished_spans()) == [
        "GET /v1/payments",
        "SELECT payment",
    ]


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """Logging set up by a test writes to its captured output: put it back after."""
    config, root = structlog.get_config(), logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.configure(**config)
    structlog.contextvars.clear_contextvars()
    root.handlers[:], root.level = handlers, level


@pytest.mark.usefixtures("logging_restored")
def test_every_log_line_in_a_span_carries_its_trace_and_span_ids(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("test-service")
    tracing.configure_tracing("test-service")
    incoming = [("traceparent", f"00-{PAYMENT_TRACE}-{PAYMENT_SPAN}-01".encode())]
    with tracing.continue_trace(incoming, "CreatePayment process"):
        structlog.get_logger("test").warning("inside")
        logging.getLogger("library").warning("from a library")
    structlog.get_logger("test").warning("outside")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    inside, library, outside = lines[-3:]
    for line in (inside, library):
        assert line["trace_id"] == PAYMENT_TRACE
        assert len(line["span_id"]) == 16
        assert line["span_id"] != PAYMENT_SPAN
        assert line["service"] == "test-service"
    assert "trace_id" not in outside
