"""What the report should show besides captures: refunds in every status, late
successes with how their reversal went."""

from datetime import timedelta

from payroute_common.messages import (
    LateSuccess,
    LateSuccessFound,
    LateSuccessReversed,
    RefundCreated,
    RefundFailed,
    RefundSucceeded,
)
from reconciliation.settling import late_successes_in, refunds_in

from .snapshots import T0, refund, snapshot

CAPTURED = snapshot(2, "captured")


def test_a_refund_keeps_its_latest_status_and_when_it_settled() -> None:
    later = T0 + timedelta(minutes=5)
    settled = refund("re_1", 500, "succeeded", updated_at=later)
    events = [
        RefundSucceeded(payment=CAPTURED, refund=settled),
        RefundCreated(payment=CAPTURED, refund=refund("re_1", 500, "pending")),
        RefundFailed(payment=CAPTURED, refund=refund("re_2", 300, "failed")),
    ]  # fmt: skip

    states = {s.refund_id: s for s in refunds_in(events)}

    assert (states["re_1"].status, states["re_1"].settled_at) == ("succeeded", later)
    assert (states["re_2"].status, states["re_2"].settled_at) == ("failed", None)
    assert states["re_1"].provider == "stripe"  # the payment's, when the refund names none


def late(event_type: type[LateSuccessFound] | type[LateSuccessReversed]) -> LateSuccessFound:
    found = LateSuccess(
        attempt_id="att_2", provider="stripe", provider_reference="pi_late", amount=10_000,
        currency="PHP", kind="refund", operation_id="op_1",
    )  # fmt: skip
    return event_type(payment=CAPTURED, late_success=found)  # type: ignore[return-value]


def test_a_late_success_moves_only_forward() -> None:
    (state,) = late_successes_in([late(LateSuccessReversed), late(LateSuccessFound)])
    assert (state.status, state.provider_reference, state.reversal) == (
        "reversed", "pi_late", "refund",
    )  # fmt: skip
    assert state.payment_id == "pay_1"
