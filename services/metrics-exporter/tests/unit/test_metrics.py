import pytest

from metrics_exporter.metrics import (
    COUNTERS,
    PAYMENT_AMOUNT_MINOR,
    PAYMENTS,
    WEBHOOKS_RECEIVED,
    count,
    increment,
    labels_key,
)

from .events import captured, created, failed, webhook

LABELS = '{"currency":"PHP","provider":"stripe","status":"captured"}'


def test_labels_key_is_canonical() -> None:
    a = labels_key({"status": "captured", "provider": "stripe", "currency": "PHP"})
    b = labels_key({"currency": "PHP", "status": "captured", "provider": "stripe"})
    assert a == b == LABELS


def test_capture_counts_the_payment_and_its_amount() -> None:
    counted = count(captured(amount_captured=7_000))
    assert counted is not None
    assert counted.once_key == "payment:pay_1:captured"
    assert {(i.key, i.value) for i in counted.increments} == {
        ((PAYMENTS.name, LABELS), 1),
        ((PAYMENT_AMOUNT_MINOR.name, LABELS), 7_000),
    }


def test_failure_counts_the_payment_only() -> None:
    counted = count(failed())
    assert counted is not None
    assert counted.once_key == "payment:pay_1:failed"
    labels = labels_key({"status": "failed", "provider": "stripe", "currency": "PHP"})
    assert [(i.key, i.value) for i in counted.increments] == [((PAYMENTS.name, labels), 1)]


def test_failure_before_any_provider_is_labelled_none() -> None:
    counted = count(failed(provider=None, provider_reference=None))
    assert counted is not None
    assert '"provider":"none"' in counted.increments[0].key[1]


def test_webhook_counts_by_provider_and_outcome() -> None:
    counted = count(webhook("failed"))
    assert counted is not None
    assert counted.once_key is None
    labels = labels_key({"provider": "stripe", "outcome": "failed"})
    assert [(i.key, i.value) for i in counted.increments] == [((WEBHOOKS_RECEIVED.name, labels), 1)]


def test_non_terminal_events_count_for_nothing() -> None:
    assert count(created()) is None


def test_increment_refuses_wrong_labels() -> None:
    with pytest.raises(ValueError, match="takes labels"):
        increment(PAYMENTS, 1, status="captured")


def test_metric_names_are_unique_and_prometheus_counters() -> None:
    names = [c.name for c in COUNTERS]
    assert len(names) == len(set(names))
    assert all(n.startswith("payroute_") and n.endswith("_total") for n in names)
