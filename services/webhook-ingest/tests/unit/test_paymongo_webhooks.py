"""PayMongo's `Paymongo-Signature` scheme and the normalization of its events."""

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import pytest

from webhook_ingest.config import Settings
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError, StaleSignatureError
from webhook_ingest.providers import build_providers
from webhook_ingest.providers.paymongo import PaymongoProvider

SECRET = "whsk_" + secrets.token_hex(16)
NOW = 1_800_000_000
RECEIVED = datetime(2027, 1, 15, tzinfo=UTC)


def payment(status: str = "paid", **attributes: Any) -> dict[str, Any]:
    return {
        "id": "pay_abc",
        "type": "payment",
        "attributes": {
            "amount": 25_000,
            "currency": "PHP",
            "status": status,
            "payment_intent_id": "pi_xyz",
            "metadata": {"payment_id": "pay_payroute_1", "attempt_id": "att_1"},
            **attributes,
        },
    }


def event(kind: str, resource: dict[str, Any], *, livemode: bool = False) -> bytes:
    body = {
        "data": {
            "id": "evt_123",
            "type": "event",
            "attributes": {
                "type": kind,
                "livemode": livemode,
                "data": resource,
                "previous_data": {},
                "created_at": NOW,
            },
        }
    }
    return json.dumps(body).encode()


def signed(body: bytes, *, at: int = NOW, secret: str = SECRET, live: bool = False) -> dict:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    te, li = ("", digest) if live else (digest, "")
    return {"paymongo-signature": f"t={at},te={te},li={li}"}


@pytest.fixture
def provider() -> PaymongoProvider:
    return PaymongoProvider(SECRET, clock=lambda: NOW + 10)


def test_a_test_mode_signature_verifies(provider: PaymongoProvider) -> None:
    body = event("payment.paid", payment())
    provider.verify(body, signed(body))


def test_a_live_event_is_checked_against_li(provider: PaymongoProvider) -> None:
    body = event("payment.paid", payment(), livemode=True)
    provider.verify(body, signed(body, live=True))
    with pytest.raises(InvalidSignatureError):
        provider.verify(body, signed(body))  # only `te` set: not valid for a live event


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"paymongo-signature": "te=abc,li="},
        {"paymongo-signature": f"t={NOW},te=00,li="},
        signed(b"{}", secret="whsk_other"),
    ],
    ids=["missing", "no-timestamp", "wrong-digest", "wrong-secret"],
)
def test_bad_signatures_are_refused(provider: PaymongoProvider, headers: dict) -> None:
    body = event("payment.paid", payment())
    with pytest.raises(InvalidSignatureError):
        provider.verify(body, headers)


def test_a_changed_body_is_refused(provider: PaymongoProvider) -> None:
    body = event("payment.paid", payment())
    headers = signed(body)
    with pytest.raises(InvalidSignatureError):
        provider.verify(body.replace(b"25000", b"99999"), headers)


@pytest.mark.parametrize("skew", [-301, 301, 600])
def test_a_stale_or_future_timestamp_is_refused(provider: PaymongoProvider, skew: int) -> None:
    body = event("payment.paid", payment())
    with pytest.raises(StaleSignatureError, match="tolerance"):
        provider.verify(body, signed(body, at=NOW + 10 - skew))


def test_payment_paid_is_a_succeeded_payment(provider: PaymongoProvider) -> None:
    message = provider.parse(event("payment.paid", payment()), RECEIVED)
    assert message.provider == "paymongo"
    assert (message.provider_event_id, message.provider_event_type) == ("evt_123", "payment.paid")
    assert (message.subject, message.outcome) == ("payment", "succeeded")
    assert message.provider_reference == "pi_xyz"
    assert message.payment_id == "pay_payroute_1"
    assert (message.amount, message.currency) == (25_000, "PHP")
    assert message.received_at == RECEIVED


@pytest.mark.parametrize(
    ("kind", "resource", "subject", "outcome"),
    [
        ("payment.failed", payment("failed", failed_code="generic_decline"), "payment", "failed"),
        ("payment.refunded", payment(), "refund", "refunded"),
        (
            "source.chargeable",
            {"id": "src_1", "type": "source", "attributes": {}},
            "payment",
            "other",
        ),
    ],
)
def test_events_are_classified(
    provider: PaymongoProvider, kind: str, resource: dict, subject: str, outcome: str
) -> None:
    message = provider.parse(event(kind, resource), RECEIVED)
    assert (message.subject, message.outcome) == (subject, outcome)


@pytest.mark.parametrize(("status", "outcome"), [("succeeded", "refunded"), ("failed", "failed")])
def test_a_refund_update_follows_the_refunds_status(
    provider: PaymongoProvider, status: str, outcome: str
) -> None:
    refund = {
        "id": "ref_1",
        "type": "refund",
        "attributes": {
            "amount": 5_000,
            "currency": "PHP",
            "status": status,
            "payment_id": "pay_abc",
        },
    }
    message = provider.parse(event("payment.refund.updated", refund), RECEIVED)
    assert (message.subject, message.outcome) == ("refund", outcome)
    assert (message.provider_reference, message.amount) == ("ref_1", 5_000)
    assert message.payment_id is None


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"data": {"id": "evt_1", "attributes": {"type": "payment.paid"}}}'],
)
def test_unreadable_events_are_invalid_payloads(provider: PaymongoProvider, body: bytes) -> None:
    with pytest.raises(InvalidPayloadError):
        provider.parse(body, RECEIVED)


def test_an_unknown_currency_drops_the_money_not_the_event(provider: PaymongoProvider) -> None:
    message = provider.parse(event("payment.paid", payment(currency="XXX")), RECEIVED)
    assert (message.amount, message.currency) == (None, None)


def test_paymongo_is_taken_only_when_its_secret_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    monkeypatch.delenv("PAYMONGO_WEBHOOK_SECRET", raising=False)
    assert "paymongo" not in build_providers(Settings())
    monkeypatch.setenv("PAYMONGO_WEBHOOK_SECRET", SECRET)
    assert isinstance(build_providers(Settings())["paymongo"], PaymongoProvider)


def paymongo_refund(status: str) -> dict[str, Any]:
    """A Refund resource as PayMongo documents it (reference/refund-resource)."""
    return {
        "id": "ref_vPSq",
        "type": "refund",
        "attributes": {
            "amount": 5_000,
            "balance_transaction_id": "bal_txn_1",
            "currency": "PHP",
            "livemode": False,
            "metadata": {"payment_id": "pay_payroute_1", "refund_id": "re_payroute_1"},
            "notes": None,
            "payment_id": "pay_abc",
            "payout_id": None,
            "reason": "requested_by_customer",
            "status": status,
            "available_at": NOW,
            "created_at": NOW,
            "refunded_at": NOW if status == "succeeded" else None,
            "updated_at": NOW,
        },
    }


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("succeeded", "refunded"),
        ("failed", "failed"),
        ("pending", "other"),
        ("processing", "other"),
    ],
)
def test_a_refund_update_names_payroutes_refund_and_payment(
    provider: PaymongoProvider, status: str, outcome: str
) -> None:
    message = provider.parse(event("payment.refund.updated", paymongo_refund(status)), RECEIVED)
    assert (message.subject, message.outcome) == ("refund", outcome)
    assert (message.refund_id, message.payment_id) == ("re_payroute_1", "pay_payroute_1")
    assert (message.provider_reference, message.amount) == ("ref_vPSq", 5_000)


def test_a_refunded_payment_tells_the_total_its_succeeded_refunds_took(
    provider: PaymongoProvider,
) -> None:
    refunds = [
        paymongo_refund("succeeded"),
        paymongo_refund("succeeded"),
        paymongo_refund("failed"),
    ]
    message = provider.parse(event("payment.refunded", payment(refunds=refunds)), RECEIVED)
    assert (message.subject, message.outcome) == ("refund", "refunded")
    assert (message.amount_refunded, message.provider_reference) == (10_000, "pi_xyz")
    assert message.payment_id == "pay_payroute_1"


def test_a_refunded_payment_whose_refunds_are_all_pending_has_no_effect(
    provider: PaymongoProvider,
) -> None:
    refunds = [paymongo_refund("pending")]
    message = provider.parse(event("payment.refunded", payment(refunds=refunds)), RECEIVED)
    assert (message.outcome, message.amount_refunded) == ("other", 0)
