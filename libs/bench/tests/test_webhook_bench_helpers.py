"""The webhook bench's pure parts: percentiles, Stripe signing, the HTTP/1.1 reader, the check."""

import time

import pytest
import stripe

from payroute_bench.http1 import ProtocolError, parse_response, request_bytes
from payroute_bench.latency import percentile, summary
from payroute_bench.stripe_events import event_id, event_prefix, signed_request
from payroute_bench.webhook_check import compare
from payroute_bench.webhook_load import plan_steps

SECRET = "whsec_bench_test"


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0


def test_percentile_refuses_a_quantile_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match="quantile"):
        percentile([1.0], 0.0)


def test_summary_of_nothing_is_empty_not_an_error() -> None:
    assert summary([]) == {"p50": None, "p95": None, "p99": None, "max": None}
    assert summary([3.0, 1.0, 2.0])["max"] == 3.0


def test_signed_request_verifies_with_the_stripe_sdk() -> None:
    body, headers = signed_request(SECRET, event_id("r1", 7), int(time.time()))
    event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)
    assert event["id"] == "evt_benchr1_00000007"
    assert event["type"] == "payment_intent.succeeded"
    assert event["data"]["object"]["metadata"]["payment_id"] == "pay_benchr1_00000007"


def test_a_signature_with_another_secret_does_not_verify() -> None:
    body, headers = signed_request("whsec_other", event_id("r1", 0), int(time.time()))
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)


def test_event_ids_of_a_run_share_its_prefix_and_differ() -> None:
    ids = {event_id("abc", seq) for seq in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith(event_prefix("abc")) for i in ids)


def test_parse_response_waits_for_the_whole_body() -> None:
    answer = b'HTTP/1.1 200 OK\r\ncontent-length: 17\r\n\r\n{"received":true}'
    assert parse_response(answer[:-1]) is None
    assert parse_response(answer + b"HTTP/1.1") == (200, len(answer))


def test_parse_response_refuses_chunked_answers() -> None:
    with pytest.raises(ProtocolError):
        parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")


def test_request_bytes_frames_the_body() -> None:
    raw = request_bytes("POST", "/webhooks/stripe", "h:1", {"X-A": "b"}, b"{}")
    assert (
        raw
        == b"POST /webhooks/stripe HTTP/1.1\r\nHost: h:1\r\nContent-Length: 2\r\nX-A: b\r\n\r\n{}"
    )


def test_compare_finds_missing_doubled_and_stray_rows() -> None:
    rows = [("a", 1, 1), ("b", 2, 2), ("c", 1, 3), ("z", 1, 1)]
    result = compare(["a", "b", "c", "d"], rows)
    assert result.accepted_once == 2
    assert result.missing == ["d"]
    assert result.accepted_twice == ["b"]
    assert result.unexpected == ["z"]
    assert result.other_rows == 2
    assert not result.ok
    assert compare(["a"], [("a", 1, 1)]).ok


def test_plan_steps_warms_up_at_the_first_rate() -> None:
    steps = plan_steps([1000.0, 1500.0], duration_s=20, warmup_s=5)
    assert [(s.rate, s.duration_s, s.warmup) for s in steps] == [
        (1000.0, 5, True),
        (1000.0, 20, False),
        (1500.0, 20, False),
    ]
    assert not plan_steps([1000.0], duration_s=20, warmup_s=0)[0].warmup
