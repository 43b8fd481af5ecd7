"""Trace context rides in message headers, so one trace follows a payment across hops."""

from opentelemetry import trace

from payroute_common.http import RequestIdMiddleware
from payroute_common.tracing import (
    add_trace_ids,
    configure_tracing,
    continue_trace,
    current_trace_headers,
)


def test_a_consumer_continues_the_trace_of_the_code_that_staged_the_message() -> None:
    configure_tracing("test")
    with trace.get_tracer("test").start_as_current_span("api call"):
        headers = current_trace_headers()
        producer_ids = add_trace_ids(None, "info", {})
    assert headers["traceparent"].split("-")[1] == producer_ids["trace_id"]

    record_headers = [(name, value.encode()) for name, value in headers.items()]
    with continue_trace(record_headers, "CreatePayment process"):
        consumer_ids = add_trace_ids(None, "info", {})
    assert consumer_ids["trace_id"] == producer_ids["trace_id"]
    assert consumer_ids["span_id"] != producer_ids["span_id"]


def test_a_message_without_trace_headers_starts_a_new_trace() -> None:
    configure_tracing("test")
    with continue_trace([], "orphan"):
        ids = add_trace_ids(None, "info", {})
    assert len(ids["trace_id"]) == 32


async def test_an_http_request_continues_the_callers_trace() -> None:
    configure_tracing("test")
    seen: dict[str, str] = {}

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        seen.update(add_trace_ids(None, "info", {}))

    caller = "0af7651916cd43dd8448eb211c80319c"
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/v1/payments",
        "headers": [(b"traceparent", f"00-{caller}-b7ad6b7169203331-01".encode())],
    }
    await RequestIdMiddleware(app, open_trace=True)(scope, None, None)  # type: ignore[arg-type]
    assert seen["trace_id"] == caller


def test_a_handled_message_passes_its_trace_on_to_what_it_stages() -> None:
    configure_tracing("test")
    caller = "0af7651916cd43dd8448eb211c80319c"
    incoming = [("traceparent", f"00-{caller}-b7ad6b7169203331-01".encode())]
    with continue_trace(incoming, "handle"):
        staged = current_trace_headers()["traceparent"]
    version, trace_id, span_id, flags = staged.split("-")
    assert (version, trace_id, flags) == ("00", caller, "01")
    assert span_id != "b7ad6b7169203331"
