"""Customer action (3-D Secure, wallets) and webhooks: forward only."""

from orchestrator.testing import attempt_failed, attempt_ok, create, webhook

from .flow import Flow, types


def needing_action() -> Flow:
    flow = Flow()
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    sent = flow.send(attempt_ok(attempt_id, "requires_action", redirect_url="https://3ds/x"))
    assert types(sent) == ["PaymentActionRequired"]
    return flow


def test_the_customer_is_sent_to_the_provider_redirect() -> None:
    flow = needing_action()
    assert flow.payment.status == "requires_action"
    assert flow.last_event().payload["payment"]["next_action"] == {
        "type": "redirect_to_url",
        "redirect_url": "https://3ds/x",
    }


def test_a_success_webhook_completes_the_payment_and_clears_the_action() -> None:
    flow = needing_action()
    assert types(flow.send(webhook("succeeded"))) == ["PaymentCaptured"]
    assert flow.payment.next_action is None
    assert flow.payment.attempts[0].status == "succeeded"
    assert flow.payment.fees is not None


def test_an_authorized_webhook_completes_a_manual_capture_payment() -> None:
    flow = needing_action()
    assert types(flow.send(webhook("authorized"))) == ["PaymentAuthorized"]
    assert flow.payment.amount_capturable == 10_000


def test_a_failed_webhook_fails_the_payment() -> None:
    flow = needing_action()
    assert types(flow.send(webhook("failed"))) == ["PaymentFailed"]


def test_a_success_after_a_final_failure_is_given_back_not_kept() -> None:
    flow = needing_action()
    flow.send(webhook("failed"))
    assert types(flow.send(webhook("succeeded"))) == ["LateSuccessFound", "RefundCharge"]
    version = flow.payment.version
    assert flow.send(webhook("succeeded")) == []
    assert flow.send(webhook("authorized")) == []
    assert (flow.payment.status, flow.payment.version) == ("failed", version)
    assert flow.payment.amount_captured == 0


def test_a_late_decline_after_capture_is_ignored() -> None:
    flow = Flow()
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    flow.send(attempt_ok(attempt_id, "captured"))
    assert flow.send(attempt_failed(attempt_id)) == []
    assert flow.send(webhook("canceled")) == []
    assert flow.payment.status == "captured"


def test_a_capture_done_at_the_provider_is_learned_from_its_webhook() -> None:
    flow = Flow()
    flow.send(create(capture_method="manual"))
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "authorized"))
    assert types(flow.send(webhook("succeeded", amount=4_000))) == ["PaymentCaptured"]
    assert flow.payment.amount_captured == 4_000


def test_every_event_tells_why() -> None:
    flow = needing_action()
    flow.send(webhook("succeeded"))
    reasons = [e.payload["reason"] for e in flow.uow.events()]
    assert reasons[0].startswith("routed to stripe (supports card in PHP); fallback: paymongo")
    assert all(reasons)


def test_a_failure_webhook_waits_for_the_synchronous_answer_and_its_decline_code() -> None:
    flow = Flow()
    flow.send(create())
    attempt_id = flow.last_command("AuthorizePayment")["attempt_id"]
    assert flow.send(webhook("failed")) == []
    assert flow.payment.status == "processing"
    assert types(flow.send(attempt_failed(attempt_id))) == ["PaymentFailed"]
    assert flow.payment.failure is not None
    assert flow.payment.failure.code == "card_declined"
