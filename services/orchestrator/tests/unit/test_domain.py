"""The payment state machine under random sequences of provider news."""

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.domain import TERMINAL, TRANSITIONS, IllegalTransition, Payment, PaymentError
from orchestrator.domain.operations import request_capture, request_void, verify
from orchestrator.domain.refunds import open_refund
from payroute_common.messages import PaymentFailure, PaymentMethod, ProviderError

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def payment() -> Payment:
    p = Payment(
        payment_id="pay_1",
        merchant_id="mch_1",
        amount=1000,
        currency="USD",
        capture_method="automatic",
        payment_method=PaymentMethod(type="card"),
        created_at=NOW,
        updated_at=NOW,
    )
    p.start_attempt("att_1", "stripe", NOW)
    return p


ERROR = ProviderError(category="soft_decline", code="processing_error", message="try again")
TIMEOUT = ProviderError(category="timeout", code="timeout", message="no answer")
news = st.lists(st.sampled_from(["capture", "fail", "timeout"]), min_size=1, max_size=12)


@given(news)
def test_provider_news_never_moves_a_payment_backwards(events: list[str]) -> None:
    p = payment()
    seen = [p.status]
    for event in events:
        before = (p.status, p.version)
        if event in {"fail", "timeout"}:
            error = ERROR if event == "fail" else TIMEOUT
            changed = p.record_attempt_failure("att_1", error, 1, NOW)
        else:
            changed = p.record_capture("att_1", "pi_1", 1, NOW)
        assert bool(changed) == ((p.status, p.version) != before)
        if before[0] in TERMINAL or before[0] == "captured":
            assert p.status == before[0]
        seen.append(p.status)
    assert p.amount_captured <= p.amount
    assert seen.count("captured") == 0 or p.status == "captured"
    assert all(b in TRANSITIONS[a] or a == b for a, b in itertools.pairwise(seen))


def test_terminal_statuses_have_no_way_out() -> None:
    assert {"failed", "canceled", "refunded"} <= TERMINAL
    for status in TERMINAL:
        assert not TRANSITIONS[status]


def test_an_illegal_move_is_refused_with_both_statuses() -> None:
    p = payment()
    p.record_capture("att_1", "pi_1", 1, NOW)
    with pytest.raises(IllegalTransition) as raised:
        p.fail(PaymentFailure(code="x", message="y"), NOW)
    assert (raised.value.current, raised.value.wanted) == ("captured", "failed")


def test_every_change_bumps_the_version() -> None:
    p = payment()
    assert p.version == 1
    p.record_capture("att_1", "pi_1", 1, NOW)
    assert p.version == 2
    assert p.snapshot().version == 2


def test_a_timeout_leaves_the_payment_processing_until_the_provider_tells() -> None:
    p = payment()
    assert p.record_attempt_failure("att_1", TIMEOUT, 30_000, NOW)
    assert p.status == "processing"
    assert p.attempts[0].status == "unknown"
    assert p.attempt_for_reference("stripe", "pi_from_webhook") == p.attempts[0]
    assert p.record_capture("att_1", "pi_from_webhook", None, NOW)
    assert p.status == "captured"


def test_a_disputed_payment_is_not_refundable() -> None:
    p = payment()
    p.record_capture("att_1", "pi_1", 1, NOW)
    p.move_to("disputed", NOW)
    refund, _ = open_refund(p, "re_1", 100, "USD", None, NOW)
    assert refund.status == "failed"
    assert refund.failure is not None
    assert refund.failure.code == "payment_not_refundable"
    assert p.amount_refund_pending == 0


def test_each_refusal_has_its_own_code() -> None:
    p = payment()
    refusals = [
        (lambda: request_capture(p, "op_1", None), "payment_not_capturable"),
        (lambda: request_void(p, "op_1"), "payment_not_cancelable"),
        (lambda: verify(p, "approve", None, NOW), "payment_not_awaiting_verification"),
    ]
    for attempt, code in refusals:
        with pytest.raises(PaymentError) as raised:
            attempt()
        assert raised.value.failure().code == code
    p.record_authorization("att_1", "pi_1", 1, NOW)
    with pytest.raises(PaymentError) as raised:
        request_capture(p, "op_1", 1_001)
    assert raised.value.code == "amount_exceeds_capturable"
    request_capture(p, "op_1", 500)
    with pytest.raises(PaymentError) as raised:
        request_void(p, "op_2")
    assert raised.value.code == "operation_in_progress"
