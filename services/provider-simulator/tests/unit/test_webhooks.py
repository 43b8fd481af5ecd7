"""Stripe-signed webhooks, delivered asynchronously, retried, duplicated on request."""

import httpx
import stripe
import structlog.testing

from provider_simulator.webhooks import Delivery, WebhookDispatcher

from .conftest import wait_until


async def test_success_sends_a_signed_payment_intent_succeeded_event(sim):
    intent = (await sim.create_intent(idempotency_key="att_wh")).json()

    await sim.wait_until(lambda: len(sim.sink.requests) == 1)
    request = sim.sink.requests[0]
    assert str(request.url) == "http://ingest.test/webhooks/stripe"
    assert request.headers["content-type"].startswith("application/json")
    payload = request.content.decode()
    header = request.headers["stripe-signature"]
    assert stripe.WebhookSignature.verify_header(payload, header, sim.webhook_secret, 300)
    event = stripe.Webhook.construct_event(request.content, header, sim.webhook_secret)
    assert event.id.startswith("evt_")
    assert event.type == "payment_intent.succeeded"
    assert event.data.object.id == intent["id"]
    assert event.data.object.metadata["payment_id"] == "pay_123"
    body = sim.sink.events()[0]
    assert body["object"] == "event"
    assert body["livemode"] is False
    assert body["pending_webhooks"] == 1
    assert body["request"]["idempotency_key"] == "att_wh"


async def test_signature_with_the_wrong_secret_does_not_verify(sim):
    await sim.create_intent()

    await sim.wait_until(lambda: len(sim.sink.requests) == 1)
    request = sim.sink.requests[0]
    try:
        stripe.WebhookSignature.verify_header(
            request.content.decode(), request.headers["stripe-signature"], "whsec_other", 300
        )
    except stripe.SignatureVerificationError:
        return
    raise AssertionError("a signature made with another secret verified")


async def test_each_state_change_is_announced(sim):
    manual = (await sim.create_intent(capture_method="manual")).json()
    await sim.post(f"/v1/payment_intents/{manual['id']}/capture")
    await sim.post("/v1/refunds", {"payment_intent": manual["id"], "amount": "500"})
    other = (await sim.create_intent(capture_method="manual")).json()
    await sim.post(f"/v1/payment_intents/{other['id']}/cancel")
    await sim.create_intent(payment_method="pm_card_chargeDeclined")

    expected = [
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
        "charge.refunded",
        "refund.created",
        "payment_intent.amount_capturable_updated",
        "payment_intent.canceled",
        "payment_intent.payment_failed",
    ]
    await sim.wait_until(lambda: len(sim.sink.requests) == len(expected))
    assert sorted(e["type"] for e in sim.sink.events()) == sorted(expected)
    refunded = next(e for e in sim.sink.events() if e["type"] == "charge.refunded")
    assert refunded["data"]["object"]["object"] == "charge"
    assert refunded["data"]["object"]["payment_intent"] == manual["id"]
    assert refunded["data"]["object"]["amount_refunded"] == 500


async def test_failed_deliveries_are_retried(sim):
    sim.sink.fail_next = 2

    await sim.create_intent()

    await sim.wait_until(lambda: len(sim.sink.requests) == 3)
    assert len({r.content for r in sim.sink.requests}) == 1


async def test_duplicates_resend_the_identical_event(sim):
    await sim.configure(webhook_duplicates=2)

    await sim.create_intent()

    await sim.wait_until(lambda: len(sim.sink.requests) == 3)
    assert len({r.content for r in sim.sink.requests}) == 1
    assert len({e["id"] for e in sim.sink.events()}) == 1


async def test_webhooks_can_be_switched_off(sim):
    await sim.configure(webhooks=False)

    await sim.create_intent()
    await sim.configure(webhooks=True)
    await sim.create_intent(**{"metadata[payment_id]": "pay_on"})

    await sim.wait_until(lambda: len(sim.sink.requests) == 1)
    only = sim.sink.events()[0]
    assert only["data"]["object"]["metadata"]["payment_id"] == "pay_on"


async def test_replayed_request_sends_no_new_webhook(sim):
    await sim.create_intent(idempotency_key="att_once")
    await sim.create_intent(idempotency_key="att_once")
    await sim.create_intent(**{"metadata[payment_id]": "pay_marker"})

    await sim.wait_until(lambda: len(sim.sink.requests) == 2)
    ids = [e["data"]["object"]["metadata"]["payment_id"] for e in sim.sink.events()]
    assert sorted(ids) == ["pay_123", "pay_marker"]


async def test_undeliverable_event_is_dropped_with_a_log_line_after_retries(sim):
    sim.sink.fail_next = 100

    with structlog.testing.capture_logs() as logs:
        await sim.create_intent()
        await sim.wait_until(lambda: any(e["event"] == "webhook_dropped" for e in logs))

    assert len(sim.sink.requests) == 5
    dropped = next(e for e in logs if e["event"] == "webhook_dropped")
    assert dropped["reason"] == "http_503"
    assert dropped["attempts"] == 5


async def test_deliveries_beyond_the_backlog_limit_are_dropped_with_a_log_line(sink):
    dispatcher = WebhookDispatcher(max_queued=2, transport=httpx.MockTransport(sink.handle))
    await dispatcher.start()
    try:
        with structlog.testing.capture_logs() as logs:
            for n in range(3):
                delivery = Delivery("http://ingest.test/x", b"{}", lambda _: {}, f"evt_{n}")
                dispatcher.submit(delivery, delay_s=0.01)
            await wait_until(lambda: len(sink.requests) == 2)
    finally:
        await dispatcher.stop()

    assert [e["event_id"] for e in logs if e["event"] == "webhook_dropped"] == ["evt_2"]
    assert len(sink.requests) == 2
