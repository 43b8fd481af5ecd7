"""An attempt keeps the trace it started in and sends it to the provider as metadata
(`traceparent`), so that the provider's webhooks rejoin the payment's trace. A
re-sent request carries the kept value, never the trace current at re-send time:
any other value would change the body sent under the same idempotency key."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from orchestrator.handlers.cascade import RETRY
from orchestrator.handlers.unknown_attempts import STATUS_QUERY
from orchestrator.rows import _attempts  # the attempts column's codec
from orchestrator.testing import TIMEOUT, UNAVAILABLE, attempt_failed, create

from .flow import Flow, types

PAYMENT_TRACE = 0x0AF7651916CD43DD8448EB211C80319C
OTHER_TRACE = 0x4BF92F3577B34DA6A3CE929D0E0E4736


def traceparent(trace_id: int, span_id: int) -> str:
    return f"00-{trace_id:032x}-{span_id:016x}-01"


@contextmanager
def handling_in(trace_id: int, span_id: int) -> Iterator[None]:
    """Handle messages as the consumer does: inside a span of the given trace."""
    context = SpanContext(trace_id, span_id, is_remote=False, trace_flags=TraceFlags(1))
    with trace.use_span(NonRecordingSpan(context)):
        yield


def test_a_new_attempt_sends_the_trace_it_started_in() -> None:
    flow = Flow()
    with handling_in(PAYMENT_TRACE, 0xB7AD6B7169203331):
        flow.send(create())
    sent = flow.last_command("AuthorizePayment")
    expected = traceparent(PAYMENT_TRACE, 0xB7AD6B7169203331)
    assert sent["metadata"]["traceparent"] == expected
    assert flow.payment.attempts[0].traceparent == expected


def test_outside_any_trace_no_traceparent_is_sent() -> None:
    flow = Flow()
    flow.send(create())
    assert "traceparent" not in flow.last_command("AuthorizePayment")["metadata"]
    assert flow.payment.attempts[0].traceparent is None


def test_a_resent_request_keeps_the_first_traceparent() -> None:
    flow = Flow()
    with handling_in(PAYMENT_TRACE, 0xB7AD6B7169203331):
        flow.send(create())
    first = flow.last_command("AuthorizePayment")
    with handling_in(PAYMENT_TRACE, 0x00F067AA0BA902B7):
        flow.send(attempt_failed(first["attempt_id"], TIMEOUT))
    with handling_in(OTHER_TRACE, 0x1111111111111111):
        sent = flow.fire_scheduled(STATUS_QUERY)
    assert types(sent)[-1] == "AuthorizePayment"
    assert sent[-1].payload == first


def test_an_attempt_started_by_a_timer_keeps_the_payments_trace() -> None:
    flow = Flow()
    with handling_in(PAYMENT_TRACE, 0xB7AD6B7169203331):
        flow.send(create())
        first = flow.last_command("AuthorizePayment")
        flow.send(attempt_failed(first["attempt_id"], UNAVAILABLE))
    sent = flow.fire_scheduled(RETRY)  # timers fire outside any trace
    assert types(sent)[-1] == "AuthorizePayment"
    assert sent[-1].payload["attempt_id"] != first["attempt_id"]
    assert sent[-1].payload["metadata"]["traceparent"] == first["metadata"]["traceparent"]


def test_an_attempt_started_inside_a_trace_sends_that_trace() -> None:
    flow = Flow()
    with handling_in(PAYMENT_TRACE, 0xB7AD6B7169203331):
        flow.send(create())
        flow.send(attempt_failed(flow.last_command("AuthorizePayment")["attempt_id"], UNAVAILABLE))
    with handling_in(PAYMENT_TRACE, 0x2222222222222222):
        flow.fire_scheduled(RETRY)
    second = flow.last_command("AuthorizePayment")
    assert second["metadata"]["traceparent"] == traceparent(PAYMENT_TRACE, 0x2222222222222222)


def test_a_stored_attempt_without_a_traceparent_still_loads() -> None:
    (attempt,) = _attempts.validate_python([{"attempt_id": "att_1", "provider": "stripe"}])
    assert attempt.traceparent is None


@pytest.mark.parametrize(("merchant_keys", "sent"), [(47, True), (48, False)])
def test_the_traceparent_never_takes_the_providers_fiftieth_key(
    merchant_keys: int, sent: bool
) -> None:
    flow = Flow()
    metadata = {f"key_{i:02d}": "v" for i in range(merchant_keys)}
    with handling_in(PAYMENT_TRACE, 0xB7AD6B7169203331):
        flow.send(create().model_copy(update={"metadata": metadata}))
    command = flow.last_command("AuthorizePayment")["metadata"]
    assert ("traceparent" in command) is sent
    assert len(command) + 1 <= 50  # and the adapter's attempt_id
