"""Payment events on the read model: which answer an operation in flight, and how
late successes and failed refunds show on the timeline."""

from __future__ import annotations

from typing import Any

import pytest

from gateway_api.payments import pending_operations
from gateway_api.projection import read_model
from payroute_common.clock import utcnow
from payroute_common.messages import (
    LateSuccess,
    LateSuccessFound,
    LateSuccessReversalFailed,
    LateSuccessReversed,
    PaymentAttemptUpdated,
    PaymentCanceled,
    PaymentCaptured,
    PaymentEvent,
    PaymentFailed,
    PaymentFailure,
    PaymentSnapshot,
)
from payroute_common.messages.payment_events import (
    PaymentOperationFailed,
    RefundFailed,
    RefundSucceeded,
)
from payroute_common.messages.values import RefundSnapshot

NOW = utcnow()


def snapshot(status: str = "captured", version: int = 3) -> PaymentSnapshot:
    return PaymentSnapshot(
        payment_id="pay_1",
        merchant_id="mch_1",
        version=version,
        status=status,
        amount=10_000,
        amount_capturable=0,
        amount_captured=10_000,
        amount_refunded=0,
        currency="PHP",
        capture_method="automatic",
        payment_method_type="card",
        provider="paymongo",
        provider_reference="pi_2",
        failure=None,
        created_at=NOW,
        updated_at=NOW,
    )


def refund(status: str) -> RefundSnapshot:
    return RefundSnapshot(
        refund_id="re_1",
        payment_id="pay_1",
        merchant_id="mch_1",
        amount=4_000,
        currency="PHP",
        reason=None,
        status=status,
        provider="stripe",
        provider_reference=None,
        failure=PaymentFailure(code="refund_failed", message="card closed")
        if status == "failed"
        else None,
        created_at=NOW,
        updated_at=NOW,
    )


LATE = LateSuccess(
    attempt_id="att_1",
    provider="stripe",
    provider_reference="pi_1",
    amount=10_000,
    currency="PHP",
    kind="refund",
    operation_id="op_1",
)
FAILURE = PaymentFailure(code="x", message="no")


@pytest.mark.parametrize(
    "event",
    [
        PaymentCaptured(payment=snapshot()),
        PaymentCanceled(payment=snapshot("canceled")),
        PaymentFailed(payment=snapshot("failed")),
        PaymentOperationFailed(
            payment=snapshot("authorized"), operation="capture", failure=FAILURE
        ),
        RefundSucceeded(payment=snapshot("partially_refunded"), refund=refund("succeeded")),
        RefundFailed(payment=snapshot(), refund=refund("failed")),
    ],
)
def test_outcomes_answer_the_operation_in_flight(event: PaymentEvent) -> None:
    assert pending_operations.answered([event]) == ["pay_1"]


@pytest.mark.parametrize(
    "event",
    [
        PaymentAttemptUpdated(payment=snapshot("authorized", 4)),
        LateSuccessFound(payment=snapshot("authorized", 4), late_success=LATE),
    ],
)
def test_news_that_changes_nothing_answers_nothing(event: PaymentEvent) -> None:
    assert pending_operations.answered([event]) == []


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (LateSuccessFound, "late_success_reversed: stripe captured after paymongo; refunding"),
        (LateSuccessReversed, "late_success_reversed: refunded at stripe"),
        (LateSuccessReversalFailed, "refund refused by stripe"),
        (LateSuccessReversed, None),
    ],
)
async def test_late_successes_reach_the_timeline_with_their_reason_and_money(
    store: Any, uow: Any, kind: type[LateSuccessFound], reason: str | None
) -> None:
    event = kind(payment=snapshot(version=5), late_success=LATE, reason=reason)

    await read_model.apply_payment_events([event], uow=uow)

    (entry,) = store.timeline
    assert entry.type == kind.event_type
    assert entry.status == "captured"
    assert entry.reason is not None
    assert entry.reason.startswith("late_success_reversed:")
    if reason is not None:
        assert reason.removeprefix("late_success_reversed: ") in entry.reason
    assert entry.late_success == LATE
    assert uow.answered == []  # the payment's own operation is not what this answers


async def test_a_failed_refund_shows_why_on_the_timeline(store: Any, uow: Any) -> None:
    await read_model.apply_payment_events(
        [RefundFailed(payment=snapshot(version=6), refund=refund("failed"))], uow=uow
    )

    (entry,) = store.timeline
    assert (entry.type, entry.refund_id) == ("RefundFailed", "re_1")
    assert entry.failure is not None
    assert entry.failure.code == "refund_failed"
    assert [r.status for r in uow.applied_refunds] == ["failed"]
