from datetime import UTC, datetime
from typing import Any

import pytest

from webhook_ingest.errors import InvalidPayloadError
from webhook_ingest.providers.stripe import normalize

from .stripe_fixtures import payment_intent_event

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event_type", "subject", "outcome"),
    [
        ("payment_intent.succeeded", "payment", "succeeded"),
        ("payment_intent.amount_capturable_updated", "payment", "authorized"),
        ("payment_intent.payment_failed", "payment", "failed"),
        ("payment_intent.canceled", "payment", "canceled"),
        ("charge.refunded", "refund", "refunded"),
        ("charge.dispute.created", "dispute", "opened"),
        ("charge.dispute.closed", "dispute", "closed"),
        ("payment_intent.created", "payment", "other"),
        ("customer.created", "payment", "other"),
    ],
)
def test_event_types_map_to_subject_and_outcome(
    event_type: str, subject: str, outcome: str
) -> None:
    message = normalize(payment_intent_event(event_type), NOW)
    assert (message.subject, message.outcome) == (subject, outcome)
    assert message.provider_event_type == event_type


def test_unknown_event_takes_its_subject_from_the_object_type() -> None:
    event = payment_intent_event("payout.paid")
    event["data"]["object"]["object"] = "payout"
    message = normalize(event, NOW)
    assert (message.subject, message.outcome) == ("payout", "other")


def dispute_event(event_type: str, status: str, **changes: Any) -> dict[str, Any]:
    """A dispute event as https://docs.stripe.com/api/disputes/object shapes it."""
    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "amount": 2500,
        "charge": "ch_1",
        "currency": "php",
        "metadata": {},
        "payment_intent": "pi_1",
        "reason": "fraudulent",
        "status": status,
    } | changes
    return {"id": "evt_d", "object": "event", "type": event_type, "data": {"object": dispute}}


def test_an_opened_dispute_names_its_payment_intent_and_carries_its_details() -> None:
    message = normalize(dispute_event("charge.dispute.created", "needs_response"), NOW)
    assert (message.subject, message.outcome) == ("dispute", "opened")
    assert (message.provider_reference, message.payment_id) == ("pi_1", None)
    assert (message.dispute_id, message.dispute_status) == ("dp_1", "needs_response")
    assert (message.reason, message.amount, message.currency) == ("fraudulent", 2500, "PHP")


@pytest.mark.parametrize("status", ["won", "lost", "warning_closed"])
def test_a_closed_dispute_carries_its_final_status(status: str) -> None:
    message = normalize(dispute_event("charge.dispute.closed", status), NOW)
    assert (message.outcome, message.dispute_status) == ("closed", status)


def test_a_dispute_of_a_charge_without_intent_is_routed_by_the_charge() -> None:
    event = dispute_event("charge.dispute.created", "needs_response", payment_intent=None)
    assert normalize(event, NOW).provider_reference == "ch_1"


def test_a_dispute_without_status_is_refused() -> None:
    event = dispute_event("charge.dispute.created", "needs_response")
    del event["data"]["object"]["status"]
    with pytest.raises(InvalidPayloadError):
        normalize(event, NOW)


def test_a_refunded_charge_names_its_intent_and_the_total_refunded() -> None:
    event = payment_intent_event("charge.refunded", intent_id="ch_1", amount=2500)
    event["data"]["object"] |= {
        "object": "charge",
        "payment_intent": "pi_1",
        "amount_refunded": 900,
    }
    message = normalize(event, NOW)
    assert (message.subject, message.outcome) == ("refund", "refunded")
    assert (message.provider_reference, message.amount_refunded) == ("pi_1", 900)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [("succeeded", "refunded"), ("failed", "failed"), ("canceled", "failed"), ("pending", "other")],
)
def test_refund_events_follow_the_refund_status(status: str, outcome: str) -> None:
    refund = {
        "id": "re_1",
        "object": "refund",
        "amount": 900,
        "currency": "php",
        "failure_reason": "expired_or_canceled_card" if status == "failed" else None,
        "metadata": {"payment_id": "pay_1", "refund_id": "re_payroute"},
        "payment_intent": "pi_1",
        "status": status,
    }
    event = {"id": "evt_r", "type": "refund.updated", "data": {"object": refund}}
    message = normalize(event, NOW)
    assert (message.subject, message.outcome) == ("refund", outcome)
    assert (message.provider_reference, message.payment_id) == ("re_1", "pay_1")
    assert (message.refund_id, message.amount) == ("re_payroute", 900)
    assert message.reason == refund["failure_reason"]


def test_succeeded_intent_is_normalized() -> None:
    message = normalize(payment_intent_event(event_id="evt_9", intent_id="pi_9"), NOW)
    assert message.provider == "stripe"
    assert message.provider_event_id == "evt_9"
    assert message.provider_reference == "pi_9"
    assert message.payment_id == "pay_1"
    assert message.amount == 2500
    assert message.currency == "PHP"
    assert message.received_at == NOW


def test_amount_received_wins_over_amount() -> None:
    message = normalize(payment_intent_event(amount=5000, amount_received=3000), NOW)
    assert message.amount == 3000


def test_amount_when_nothing_was_received() -> None:
    event = payment_intent_event("payment_intent.payment_failed", amount=5000, amount_received=0)
    assert normalize(event, NOW).amount == 5000


def test_charge_without_amount_received_uses_amount() -> None:
    event = payment_intent_event("charge.refunded", intent_id="ch_1", amount=700)
    del event["data"]["object"]["amount_received"]
    message = normalize(event, NOW)
    assert (message.provider_reference, message.amount) == ("ch_1", 700)


def test_without_metadata_payment_id_the_reference_remains() -> None:
    message = normalize(payment_intent_event(payment_id=None), NOW)
    assert message.payment_id is None
    assert message.provider_reference == "pi_1"


def test_unsupported_currency_drops_money_not_the_event() -> None:
    message = normalize(payment_intent_event(currency="xyz"), NOW)
    assert (message.amount, message.currency) == (None, None)


@pytest.mark.parametrize(
    "event",
    [
        [],
        {"type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}},
        {"id": "evt_1", "data": {"object": {"id": "pi_1"}}},
        {"id": "evt_1", "type": "payment_intent.succeeded"},
        {"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}},
        {"id": 5, "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1"}}},
    ],
)
def test_unreadable_events_are_refused(event: Any) -> None:
    with pytest.raises(InvalidPayloadError):
        normalize(event, NOW)
