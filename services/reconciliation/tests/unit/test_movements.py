from datetime import timedelta
from typing import Any

from payroute_common.messages import (
    Fees,
    PaymentAuthorized,
    PaymentCanceled,
    PaymentCaptured,
    RefundCreated,
    RefundFailed,
    RefundSucceeded,
)
from reconciliation.movements import movements_in

from .snapshots import T0, refund, snapshot

FEES = Fees(provider_fee=204, platform_fee=180, net=5_616)


def partially_captured(version: int = 3, **changes: Any) -> PaymentCaptured:
    fields: dict[str, Any] = {"amount_captured": 6_000, "fees": FEES, **changes}
    return PaymentCaptured(payment=snapshot(version, "captured", **fields))


def refund_succeeded(refund_id: str, amount: int, refunded: int, version: int) -> RefundSucceeded:
    payment = snapshot(
        version, "partially_refunded", amount_captured=6_000, amount_refunded=refunded, fees=FEES
    )
    return RefundSucceeded(payment=payment, refund=refund(refund_id, amount, "succeeded"))


def test_a_partial_capture_moves_the_captured_amount_with_its_fees() -> None:
    [capture] = movements_in([partially_captured()])
    assert (capture.kind, capture.source_id, capture.amount) == ("capture", "pay_1", 6_000)
    assert (capture.provider_fee, capture.platform_fee) == (204, 180)
    assert capture.occurred_at == snapshot(3).updated_at


def test_each_succeeded_refund_is_its_own_line() -> None:
    lines = movements_in(
        [
            partially_captured(),
            refund_succeeded("re_1", 2_500, 2_500, 4),
            refund_succeeded("re_2", 2_000, 4_500, 5),
        ]
    )
    by_kind = sorted((m.kind, m.source_id, m.amount) for m in lines)
    assert by_kind == [
        ("capture", "pay_1", 6_000),
        ("refund", "re_1", 2_500),
        ("refund", "re_2", 2_000),
    ]
    refunds = [m for m in lines if m.kind == "refund"]
    assert all(m.provider_fee is None and m.payment_id == "pay_1" for m in refunds)


def test_the_capture_is_one_line_whichever_snapshot_shows_it_first() -> None:
    later_first = [refund_succeeded("re_1", 2_500, 2_500, 4), partially_captured()]
    captures = [m for m in movements_in(later_first) if m.kind == "capture"]
    assert [(c.amount, c.occurred_at) for c in captures] == [(6_000, snapshot(3).updated_at)]


def test_fees_known_from_any_snapshot_are_kept() -> None:
    without = partially_captured(fees=None)
    lines = movements_in([without, refund_succeeded("re_1", 100, 100, 4)])
    [capture] = [m for m in lines if m.kind == "capture"]
    assert (capture.provider_fee, capture.platform_fee) == (204, 180)


def test_authorizations_cancellations_and_unsettled_refunds_move_nothing() -> None:
    authorized = snapshot(2, "authorized", amount_capturable=10_000)
    captured = snapshot(3, "captured", amount_captured=10_000, fees=FEES)
    events = [
        PaymentAuthorized(payment=authorized),
        PaymentCanceled(payment=snapshot(3, "canceled")),
        RefundCreated(payment=captured, refund=refund("re_1", 500, "pending")),
        RefundFailed(payment=captured, refund=refund("re_1", 500, "failed")),
    ]
    assert [(m.kind, m.source_id) for m in movements_in(events)] == [("capture", "pay_1")]
    assert movements_in(events[:2]) == []


def test_refund_time_is_when_it_succeeded() -> None:
    [line] = [
        m for m in movements_in([refund_succeeded("re_1", 100, 100, 4)]) if m.kind == "refund"
    ]
    assert line.occurred_at == T0 + timedelta(minutes=5)
