import pytest

from metrics_exporter.metrics import (
    COUNTERS,
    FEE_AMOUNT_MINOR,
    LATE_SUCCESSES,
    PAYMENT_AMOUNT_MINOR,
    PAYMENT_FAILURES,
    PAYMENTS,
    REFUND_AMOUNT_MINOR,
    REFUNDS,
    WEBHOOKS_RECEIVED,
    bounded,
    increment,
    labels_key,
)
from metrics_exporter.rules import PaymentStatus, count, latest_statuses
from payroute_common.envelope import Message
from payroute_common.messages import (
    LateSuccess,
    LateSuccessEvent,
    LateSuccessFound,
    LateSuccessReversalFailed,
    LateSuccessReversed,
)

from .events import captured, created, failed, manual, partially_captured, refund_event, webhook

LABELS = '{"currency":"PHP","provider":"stripe","status":"captured"}'


def added(message: Message) -> dict[str, set[tuple[tuple[str, str], int]]]:
    """Each once-key (or "") with the increments it carries."""
    return {c.once_key or "": {(i.key, i.value) for i in c.increments} for c in count(message)}


def test_labels_key_is_canonical() -> None:
    a = labels_key({"status": "captured", "provider": "stripe", "currency": "PHP"})
    b = labels_key({"currency": "PHP", "status": "captured", "provider": "stripe"})
    assert a == b == LABELS


def test_capture_counts_the_payment_and_the_captured_amount() -> None:
    assert added(captured(amount_captured=7_000)) == {
        "payment:pay_1:captured": {
            ((PAYMENTS.name, LABELS), 1),
            ((PAYMENT_AMOUNT_MINOR.name, LABELS), 7_000),
        }
    }


def test_fees_are_counted_once_per_payment_by_kind() -> None:
    counts = added(partially_captured())
    assert counts["fees:pay_1"] == {
        ((FEE_AMOUNT_MINOR.name, '{"currency":"PHP","kind":"provider"}'), 204),
        ((FEE_AMOUNT_MINOR.name, '{"currency":"PHP","kind":"platform"}'), 180),
    }
    assert ((PAYMENT_AMOUNT_MINOR.name, LABELS), 6_000) in counts["payment:pay_1:captured"]


def test_failure_counts_the_payment_and_its_reason() -> None:
    labels = labels_key({"status": "failed", "provider": "stripe", "currency": "PHP"})
    assert added(failed(code="insufficient_funds")) == {
        "payment:pay_1:failed": {
            ((PAYMENTS.name, labels), 1),
            ((PAYMENT_FAILURES.name, '{"code":"insufficient_funds","provider":"stripe"}'), 1),
        }
    }


def test_failure_before_any_provider_is_labelled_none() -> None:
    [counted] = count(failed(provider=None, provider_reference=None))
    assert all('"provider":"none"' in i.key[1] for i in counted.increments)


def test_free_form_label_values_are_bounded() -> None:
    assert bounded("card_declined") == "card_declined"
    assert bounded(None) == "none"
    assert bounded("Declined: card 4242 4242 4242 4242") == "other"
    assert bounded("x" * 100) == "other"


def test_every_status_a_payment_reaches_is_counted_once_per_payment() -> None:
    labels = labels_key({"status": "processing", "provider": "stripe", "currency": "PHP"})
    assert added(created()) == {"payment:pay_1:processing": {((PAYMENTS.name, labels), 1)}}
    [counted] = count(manual("pay_9", "pending_verification", 2))
    assert counted.once_key == "payment:pay_9:pending_verification"


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


def test_webhook_counts_by_provider_and_outcome() -> None:
    [counted] = count(webhook("failed"))
    assert counted.once_key is None
    labels = labels_key({"provider": "stripe", "outcome": "failed"})
    assert [(i.key, i.value) for i in counted.increments] == [((WEBHOOKS_RECEIVED.name, labels), 1)]


def test_only_manual_payments_are_tracked_for_the_gauge_newest_version_kept() -> None:
    batch: list[Message] = [
        manual("pay_m", "captured", 3),
        manual("pay_m", "pending_verification", 2),
        captured("pay_card"),
        webhook(),
    ]
    assert latest_statuses(batch) == [PaymentStatus("pay_m", "captured", 3)]


def test_increment_refuses_wrong_labels() -> None:
    with pytest.raises(ValueError, match="takes labels"):
        increment(PAYMENTS, 1, status="captured")


def test_metric_names_are_unique_and_prometheus_counters() -> None:
    names = [c.name for c in COUNTERS]
    assert len(names) == len(set(names))
    assert all(n.startswith("payroute_") and n.endswith("_total") for n in names)
    assert not any(label.endswith("_id") for c in COUNTERS for label in c.labels)


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
