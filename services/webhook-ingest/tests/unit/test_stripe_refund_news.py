"""Stripe's refund news in its real shapes (https://docs.stripe.com/api/charges/object,
https://docs.stripe.com/api/refunds/object), normalized for Payroute."""

from datetime import UTC, datetime
from typing import Any

import pytest

from webhook_ingest.providers.stripe import normalize, refunded_by_refunds

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def charge(**fields: Any) -> dict[str, Any]:
    """A Charge as Stripe sends it in `charge.*` events (trimmed to what is read)."""
    return {
        "id": "ch_3Q",
        "object": "charge",
        "amount": 2000,
        "amount_captured": 2000,
        "amount_refunded": 0,
        "captured": True,
        "currency": "php",
        "payment_intent": "pi_3Q",
        "metadata": {"payment_id": "pay_1", "attempt_id": "att_1"},
        "refunded": False,
        "status": "succeeded",
        **fields,
    }


def refund(status: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": "re_3Q",
        "object": "refund",
        "amount": 500,
        "balance_transaction": None,
        "charge": "ch_3Q",
        "created": 1_767_225_600,
        "currency": "php",
        "metadata": {"payment_id": "pay_1", "refund_id": "ref_payroute_1"},
        "payment_intent": "pi_3Q",
        "reason": "requested_by_customer",
        "status": status,
        **fields,
    }


def event(event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "evt_1",
        "object": "event",
        "api_version": "2024-06-20",
        "created": 1_767_225_600,
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": obj},
    }


def test_a_partial_capture_release_is_not_a_refund() -> None:
    # Captured 1,500 of 2,000: Stripe shows the released 500 as refunded.
    released = charge(amount_captured=1500, amount_refunded=500)
    message = normalize(event("charge.refunded", released), NOW)
    assert message.amount_refunded == 0
    assert (message.subject, message.outcome) == ("refund", "other")


def test_a_refund_after_a_partial_capture_counts_only_what_refunds_took() -> None:
    refunded = charge(amount_captured=1500, amount_refunded=500 + 600)
    message = normalize(event("charge.refunded", refunded), NOW)
    assert (message.outcome, message.amount_refunded) == ("refunded", 600)
    assert (message.provider_reference, message.payment_id) == ("pi_3Q", "pay_1")


def test_a_fully_captured_charge_refunded_in_full() -> None:
    refunded = charge(amount_refunded=2000, refunded=True)
    message = normalize(event("charge.refunded", refunded), NOW)
    assert (message.outcome, message.amount_refunded) == ("refunded", 2000)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"amount_captured": 2000, "amount_refunded": 300}, 300),
        ({"amount_captured": 1500, "amount_refunded": 500}, 0),
        ({"amount_captured": 1500, "amount_refunded": 1100}, 600),
        ({"amount_captured": 0, "amount_refunded": 2000, "captured": False}, 2000),
        ({"amount_refunded": 300, "amount_captured": None}, 300),
        ({"amount_refunded": None}, None),
    ],
)
def test_refunded_by_refunds(fields: dict[str, Any], expected: int | None) -> None:
    assert refunded_by_refunds(charge(**fields)) == expected


@pytest.mark.parametrize("event_type", ["charge.refund.updated", "refund.updated", "refund.failed"])
def test_a_failed_refund_is_failed_with_its_reason_and_payroute_refund_id(event_type: str) -> None:
    failed = refund(
        "failed", failure_reason="expired_or_canceled_card", failure_balance_transaction="txn_1"
    )
    message = normalize(event(event_type, failed), NOW)
    assert (message.subject, message.outcome) == ("refund", "failed")
    assert message.reason == "expired_or_canceled_card"
    assert (message.refund_id, message.payment_id) == ("ref_payroute_1", "pay_1")
    assert (message.provider_reference, message.amount, message.currency) == ("re_3Q", 500, "PHP")


@pytest.mark.parametrize(
    "event_type", ["charge.refund.updated", "refund.updated", "refund.created"]
)
def test_a_succeeded_refund_is_refunded(event_type: str) -> None:
    message = normalize(event(event_type, refund("succeeded")), NOW)
    assert (message.subject, message.outcome) == ("refund", "refunded")
    assert (message.refund_id, message.reason) == ("ref_payroute_1", None)


@pytest.mark.parametrize("status", ["pending", "requires_action"])
@pytest.mark.parametrize(
    "event_type", ["charge.refund.updated", "refund.updated", "refund.created"]
)
def test_a_refund_not_yet_settled_has_no_effect(event_type: str, status: str) -> None:
    message = normalize(event(event_type, refund(status)), NOW)
    assert (message.subject, message.outcome) == ("refund", "other")
