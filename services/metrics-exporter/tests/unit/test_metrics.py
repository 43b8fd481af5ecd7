from datetime import timedelta

import pytest

from metrics_exporter.metrics import (
    COUNTERS,
    FEE_AMOUNT_MINOR,
    HISTOGRAMS,
    LATE_SUCCESSES,
    PAYMENT_AMOUNT_MINOR,
    PAYMENT_FAILURES,
    PAYMENT_PROCESSING,
    PAYMENTS,
    REFUND_AMOUNT_MINOR,
    REFUNDS,
    bounded,
    increment,
    labels_key,
    observe,
)
from metrics_exporter.rules import PaymentStatus, count, latest_statuses
from payroute_common.envelope import Message
from payroute_common.messages import (
    LateSuccess,
    LateSuccessEvent,
    LateSuccessFound,
    LateSuccessReversalFailed,
    LateSuccessReversed,
    PaymentCaptured,
)

from .events import (
    T0,
    captured,
    created,
    failed,
    manual,
    partially_captured,
    refund_event,
    snapshot,
    webhook,
)

LABELS = '{"currency":"PHP","method":"card","provider":"stripe","status":"captured"}'
PROCESSED_CARD = '{"method":"card","provider":"stripe"}'


def added(message: Message) -> dict[str, set[tuple[tuple[str, str], int]]]:
    """Each once-key (or "") with the increments it carries."""
    return {c.once_key or "": {(i.key, i.value) for i in c.increments} for c in count(message)}


def payment_labels(status: str, method: str = "card") -> str:
    return labels_key({"status": status, "provider": "stripe", "method": method, "currency": "PHP"})


def test_labels_key_is_canonical() -> None:
    a = labels_key(
        {"status": "captured", "provider": "stripe", "method": "card", "currency": "PHP"}
    )
    b = labels_key(
        {"currency": "PHP", "method": "card", "status": "captured", "provider": "stripe"}
    )
    assert a == b == LABELS


def test_capture_counts_the_payment_and_the_captured_amount() -> None:
    assert added(captured(amount_captured=7_000))["payment:pay_1:captured"] == {
        ((PAYMENTS.name, LABELS), 1),
        ((PAYMENT_AMOUNT_MINOR.name, LABELS), 7_000),
    }


def test_fees_are_counted_once_per_payment_by_kind() -> None:
    counts = added(partially_captured())
    assert counts["fees:pay_1"] == {
        ((FEE_AMOUNT_MINOR.name, '{"currency":"PHP","kind":"provider"}'), 204),
        ((FEE_AMOUNT_MINOR.name, '{"currency":"PHP","kind":"platform"}'), 180),
    }
    assert ((PAYMENT_AMOUNT_MINOR.name, LABELS), 6_000) in counts["payment:pay_1:captured"]


def test_failure_counts_the_payment_and_its_reason() -> None:
    assert added(failed(code="insufficient_funds"))["payment:pay_1:failed"] == {
        ((PAYMENTS.name, payment_labels("failed")), 1),
        ((PAYMENT_FAILURES.name, '{"code":"insufficient_funds","provider":"stripe"}'), 1),
    }


def test_failure_before_any_provider_is_labelled_none() -> None:
    counted = count(failed(provider=None, provider_reference=None))
    assert all('"provider":"none"' in i.key[1] for c in counted for i in c.increments)


def test_free_form_label_values_are_bounded() -> None:
    assert bounded("card_declined") == "card_declined"
    assert bounded(None) == "none"
    assert bounded("Declined: card 4242 4242 4242 4242") == "other"
    assert bounded("x" * 100) == "other"


def test_every_status_a_payment_reaches_is_counted_once_per_payment() -> None:
    labels = payment_labels("processing")
    assert added(created()) == {"payment:pay_1:processing": {((PAYMENTS.name, labels), 1)}}
    waiting = added(manual("pay_9", "pending_verification", 2))
    assert waiting["payment:pay_9:pending_verification"] == {
        ((PAYMENTS.name, labels_key(_cash("pending_verification"))), 1)
    }


def _cash(status: str) -> dict[str, str]:
    return {"status": status, "provider": "manual", "method": "cash", "currency": "PHP"}


@pytest.mark.parametrize(
    ("after", "bucket"),
    [(0, "0.1"), (0.1, "0.1"), (0.3, "0.5"), (42, "60.0"), (300, "300.0"), (301, "+Inf")],
)
def test_processing_time_falls_in_the_smallest_bucket_that_holds_it(
    after: float, bucket: str
) -> None:
    done = captured(updated_at=T0 + timedelta(seconds=after))
    assert added(done)["processing:pay_1"] == {
        ((PAYMENT_PROCESSING.bucket_counter, f'{{"le":"{bucket}",{PROCESSED_CARD[1:]}'), 1),
        ((PAYMENT_PROCESSING.sum_counter, PROCESSED_CARD), round(after * 1000)),
    }


@pytest.mark.parametrize(
    "status",
    ["captured", "authorized", "failed", "canceled", "requires_action", "pending_verification"],
)
def test_processing_time_is_kept_at_every_final_or_waiting_status(status: str) -> None:
    event = PaymentCaptured(payment=snapshot("pay_1", status))
    assert "processing:pay_1" in added(event)


@pytest.mark.parametrize("status", ["pending", "processing", "partially_refunded", "refunded"])
def test_processing_time_is_not_kept_before_or_after_those(status: str) -> None:
    event = PaymentCaptured(payment=snapshot("pay_1", status))
    assert "processing:pay_1" not in added(event)


def test_a_manual_payment_is_processed_once_it_waits_for_verification() -> None:
    waiting = manual("pay_9", "pending_verification", 2, updated_at=T0 + timedelta(seconds=2))
    sums = dict(added(waiting)["processing:pay_9"])
    assert sums[(PAYMENT_PROCESSING.sum_counter, '{"method":"cash","provider":"manual"}')] == 2_000


def test_refund_counts_its_status_and_its_amount_once_it_succeeded() -> None:
    pending = added(refund_event("re_1", 2_500, "pending", 0, 4))
    succeeded = added(refund_event("re_1", 2_500, "succeeded", 2_500, 5))
    labels = '{"currency":"PHP","provider":"stripe","status":"%s"}'
    assert pending["refund:re_1:pending"] == {((REFUNDS.name, labels % "pending"), 1)}
    assert succeeded["refund:re_1:succeeded"] == {
        ((REFUNDS.name, labels % "succeeded"), 1),
        ((REFUND_AMOUNT_MINOR.name, '{"currency":"PHP"}'), 2_500),
    }
    # The payment's own state rides along, counted under its own keys.
    assert "payment:pay_1:partially_refunded" in succeeded


def test_webhooks_count_for_nothing_here() -> None:
    """webhook-ingest exports payroute_webhooks_total; one name, one meaning."""
    assert count(webhook("failed")) == ()


def test_only_manual_payments_are_tracked_for_the_gauge_newest_version_kept() -> None:
    batch: list[Message] = [
        manual("pay_m", "captured", 3),
        manual("pay_m", "pending_verification", 2),
        captured("pay_card"),
        webhook(),
    ]
    assert latest_statuses(batch) == [PaymentStatus("pay_m", "captured", 3, T0)]


def test_increment_refuses_wrong_labels() -> None:
    with pytest.raises(ValueError, match="takes labels"):
        increment(PAYMENTS, 1, status="captured")


def test_metric_names_are_unique_and_prometheus_counters() -> None:
    names = [c.name for c in COUNTERS]
    assert len(names) == len(set(names))
    assert all(n.startswith("payroute_") and n.endswith("_total") for n in names)
    assert not any(label.endswith("_id") for c in COUNTERS for label in c.labels)
    stored = {h.bucket_counter for h in HISTOGRAMS} | {h.sum_counter for h in HISTOGRAMS}
    assert not stored & set(names)


def test_observe_refuses_wrong_labels() -> None:
    with pytest.raises(ValueError, match="takes labels"):
        observe(PAYMENT_PROCESSING, 1.0, provider="stripe")


@pytest.mark.parametrize(
    ("kind", "stage"),
    [
        (LateSuccessFound, "found"),
        (LateSuccessReversed, "reversed"),
        (LateSuccessReversalFailed, "reversal_failed"),
    ],
)
def test_a_late_success_counts_once_per_stage(kind: type[LateSuccessEvent], stage: str) -> None:
    late = LateSuccess(
        attempt_id="att_2",
        provider="paymongo",
        provider_reference="pi_late",
        amount=10_050,
        currency="PHP",
        kind="refund",
        operation_id="op_1",
    )
    event = kind(payment=captured().payment, late_success=late, reason="late_success_reversed")
    labels = labels_key({"provider": "paymongo", "stage": stage})
    assert added(event)[f"late:att_2:{stage}"] == {((LATE_SUCCESSES.name, labels), 1)}
