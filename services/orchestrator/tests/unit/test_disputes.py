"""Disputes reported by the provider, routed by the payment's provider reference."""

from orchestrator.testing import (
    attempt_ok,
    create,
    dispute_webhook,
    operation_ok,
    refund,
    webhook,
)

from .flow import Flow, types


def captured() -> Flow:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "captured"))
    assert flow.payment.status == "captured"
    return flow


def test_an_opened_dispute_holds_the_payment_and_is_shown() -> None:
    flow = captured()
    sent = flow.send(dispute_webhook("opened"))
    assert types(sent) == ["PaymentDisputed"]
    assert flow.payment.status == "disputed"
    shown = sent[0].payload["payment"]["dispute"]
    assert shown["dispute_id"] == "dp_1"
    assert (shown["amount"], shown["reason"], shown["status"]) == (
        10_000,
        "fraudulent",
        "needs_response",
    )
    assert shown["outcome"] is None
    assert "dp_1" in sent[0].payload["reason"]


def test_a_disputed_payment_cannot_be_refunded() -> None:
    flow = captured()
    flow.send(dispute_webhook("opened"))
    assert types(flow.send(refund("re_1", 1_000))) == ["RefundFailed"]
    assert flow.payment.amount_refunded == 0


def test_a_won_dispute_restores_the_payment() -> None:
    flow = captured()
    flow.send(dispute_webhook("opened"))
    assert types(flow.send(dispute_webhook("closed", "won"))) == ["PaymentDisputeClosed"]
    assert (flow.payment.status, flow.payment.amount_refunded) == ("captured", 0)
    assert flow.payment.dispute is not None
    assert flow.payment.dispute.outcome == "won"


def test_a_won_dispute_of_a_partly_refunded_payment_goes_back_to_partially_refunded() -> None:
    flow = captured()
    flow.send(refund("re_1", 3_000))
    flow.send(operation_ok("re_1", "refund", 3_000))
    flow.send(dispute_webhook("opened", amount=7_000))
    flow.send(dispute_webhook("closed", "won", amount=7_000))
    assert (flow.payment.status, flow.payment.amount_refunded) == ("partially_refunded", 3_000)


def test_a_lost_dispute_counts_as_refunded() -> None:
    flow = captured()
    flow.send(dispute_webhook("opened"))
    sent = flow.send(dispute_webhook("closed", "lost"))
    assert sent[0].payload["payment"]["status"] == "refunded"
    assert (flow.payment.status, flow.payment.amount_refunded) == ("refunded", 10_000)


def test_a_partial_lost_dispute_leaves_the_payment_partially_refunded() -> None:
    flow = captured()
    flow.send(dispute_webhook("opened", amount=4_000))
    flow.send(dispute_webhook("closed", "lost", amount=4_000))
    assert (flow.payment.status, flow.payment.amount_refunded) == ("partially_refunded", 4_000)


def test_a_lost_dispute_never_takes_more_than_was_captured() -> None:
    flow = captured()
    flow.send(refund("re_1", 6_000))
    flow.send(operation_ok("re_1", "refund", 6_000))
    flow.send(dispute_webhook("opened", amount=10_000))
    flow.send(dispute_webhook("closed", "lost", amount=10_000))
    assert (flow.payment.status, flow.payment.amount_refunded) == ("refunded", 10_000)


def test_duplicate_and_late_dispute_news_change_nothing() -> None:
    flow = captured()
    flow.send(dispute_webhook("opened"))
    assert flow.send(dispute_webhook("opened")) == []
    flow.send(dispute_webhook("closed", "lost"))
    version = flow.payment.version
    assert flow.send(dispute_webhook("closed", "lost")) == []
    assert flow.send(dispute_webhook("closed", "won")) == []
    assert flow.send(dispute_webhook("opened")) == []
    assert (flow.payment.status, flow.payment.version) == ("refunded", version)
    assert flow.payment.amount_refunded == 10_000


def test_a_closing_before_its_opening_still_ends_right() -> None:
    flow = captured()
    assert types(flow.send(dispute_webhook("closed", "lost"))) == ["PaymentDisputeClosed"]
    assert flow.send(dispute_webhook("opened")) == []
    assert (flow.payment.status, flow.payment.amount_refunded) == ("refunded", 10_000)

    won = captured()
    won.send(dispute_webhook("closed", "won"))
    assert won.send(dispute_webhook("opened")) == []
    assert won.payment.status == "captured"


def test_a_refund_asked_before_the_dispute_settles_without_ending_it() -> None:
    flow = captured()
    flow.send(refund("re_1", 2_000))
    flow.send(dispute_webhook("opened", amount=10_000))
    assert types(flow.send(operation_ok("re_1", "refund", 2_000))) == ["RefundSucceeded"]
    assert flow.payment.status == "disputed"
    flow.send(dispute_webhook("closed", "lost", amount=10_000))
    assert (flow.payment.status, flow.payment.amount_refunded) == ("refunded", 10_000)


def test_a_dispute_of_a_payment_not_captured_is_recorded_without_moving_it() -> None:
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "requires_action"))
    flow.send(webhook("failed"))
    assert types(flow.send(dispute_webhook("opened"))) == ["PaymentDisputed"]
    assert flow.payment.status == "failed"
    assert flow.payment.dispute is not None


def test_a_dispute_of_an_unknown_charge_is_dropped() -> None:
    flow = captured()
    news = dispute_webhook("opened").model_copy(update={"provider_reference": "pi_elsewhere"})
    assert flow.send(news) == []
    assert flow.payment.status == "captured"


def test_a_status_that_closes_nothing_changes_nothing() -> None:
    flow = captured()
    flow.send(dispute_webhook("opened"))
    assert flow.send(dispute_webhook("closed", "under_review")) == []
    assert flow.payment.status == "disputed"
