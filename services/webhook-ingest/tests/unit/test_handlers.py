from payroute_common.clock import utcnow
from payroute_common.messages import ProviderWebhookReceived
from webhook_ingest import handlers
from webhook_ingest.domain import IncomingWebhook
from webhook_ingest.providers.stripe import StripeProvider

from .fakes import FakeStore
from .stripe_fixtures import SECRET, encode, payment_intent_event, signature_header

PROVIDER = StripeProvider(SECRET)


def webhook(body: bytes, signature: str | None = None, **headers: str) -> IncomingWebhook:
    all_headers = {"content-type": "application/json", **headers}
    all_headers["stripe-signature"] = signature if signature is not None else signature_header(body)
    return IncomingWebhook("stripe", body, all_headers, utcnow())


async def test_valid_new_event_is_stored_and_published_together(store: FakeStore) -> None:
    db = store.db
    outcome = await handlers.receive(
        webhook(encode(payment_intent_event())), provider=PROVIDER, journal=store.writer
    )
    assert outcome.status == "accepted"
    (row,) = db.rows
    assert (row["status"], row["verified"], row["provider_event_id"]) == ("accepted", True, "evt_1")
    assert row["provider_event_type"] == "payment_intent.succeeded"
    ((topic, key, envelope),) = db.published
    assert (topic, key) == ("provider.webhooks", "pay_1")
    assert envelope.aggregate_id == "pay_1"
    assert envelope.tenant_id == handlers.UNKNOWN_TENANT
    message = ProviderWebhookReceived.model_validate(envelope.payload)
    assert (message.subject, message.outcome, message.provider_reference) == (
        "payment",
        "succeeded",
        "pi_1",
    )


async def test_event_without_payment_id_is_keyed_by_provider_reference(store: FakeStore) -> None:
    db = store.db
    body = encode(payment_intent_event(payment_id=None, intent_id="pi_77"))
    await handlers.receive(webhook(body), provider=PROVIDER, journal=store.writer)
    ((_, key, envelope),) = db.published
    assert key == envelope.aggregate_id == "pi_77"


async def test_same_event_again_is_a_duplicate_without_second_message(store: FakeStore) -> None:
    db = store.db
    body = encode(payment_intent_event())
    first = await handlers.receive(webhook(body), provider=PROVIDER, journal=store.writer)
    second = await handlers.receive(webhook(body), provider=PROVIDER, journal=store.writer)
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert db.statuses() == ["accepted", "duplicate"]
    assert len(db.published) == 1


async def test_bad_signature_is_stored_as_rejected_with_no_event(store: FakeStore) -> None:
    db = store.db
    body = encode(payment_intent_event())
    outcome = await handlers.receive(
        webhook(body, signature_header(body, secret="whsec_wrong")),
        provider=PROVIDER,
        journal=store.writer,
    )
    assert (outcome.status, outcome.error_code) == ("rejected", "invalid_signature")
    (row,) = db.rows
    assert (row["status"], row["verified"]) == ("rejected", False)
    assert row["provider_event_id"] == "evt_1"  # what the body claims, kept for the audit
    assert row["error"].startswith("invalid signature")
    assert db.published == []


async def test_rejected_delivery_does_not_block_the_genuine_one(store: FakeStore) -> None:
    db = store.db
    body = encode(payment_intent_event())
    await handlers.receive(webhook(body, "t=1,v1=00"), provider=PROVIDER, journal=store.writer)
    outcome = await handlers.receive(webhook(body), provider=PROVIDER, journal=store.writer)
    assert outcome.status == "accepted"
    assert len(db.published) == 1


async def test_signed_but_unreadable_body_is_rejected_as_verified(store: FakeStore) -> None:
    db = store.db
    body = b'{"id": "evt_1", "type": "payment_intent.succeeded"}'
    outcome = await handlers.receive(webhook(body), provider=PROVIDER, journal=store.writer)
    assert (outcome.status, outcome.error_code) == ("rejected", "invalid_payload")
    (row,) = db.rows
    assert (row["status"], row["verified"]) == ("rejected", True)
    assert db.published == []


async def test_credentials_are_redacted_before_storing(store: FakeStore) -> None:
    db = store.db
    body = encode(payment_intent_event())
    signature = signature_header(body, timestamp=1_796_397_862)
    incoming = webhook(body, signature, authorization="Bearer sk_live_x", cookie="session=1")
    provider = StripeProvider(SECRET, tolerance_s=10**10)  # the fixed timestamp stays valid
    await handlers.receive(incoming, provider=provider, journal=store.writer)
    headers = db.rows[0]["headers"]
    assert headers["authorization"] == headers["cookie"] == "[redacted]"
    assert headers["stripe-signature"] == "t=1796397862,v1=[redacted]"
    assert headers["content-type"] == "application/json"
