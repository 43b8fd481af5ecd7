"""Refund news by webhook settles refunds the synchronous answer left pending, once."""

from orchestrator.testing import (
    TIMEOUT,
    attempt_ok,
    create,
    operation_failed,
    operation_ok,
    refund,
    refund_webhook,
)

from .flow import Flow, types


def refunding(*amounts: int) -> Flow:
    """A captured payment with pending refunds `re_0`, `re_1`, ... whose answers timed out."""
    flow = Flow()
    flow.send(create())
    flow.send(attempt_ok(flow.last_command("AuthorizePayment")["attempt_id"], "captured"))
    for n, amount in enumerate(amounts):
        flow.send(refund(f"re_{n}", amount))
        flow.send(operation_failed(f"re_{n}", "refund", TIMEOUT))
    return flow


def test_news_naming_the_refund_settles_it() -> None:
    flow = refunding(4_000)
    news = refund_webhook("refunded", provider_reference="re_stripe", refund_id="re_0")
    assert types(flow.send(news)) == ["RefundSucceeded"]
    settled = flow.uow.refunds.rows["re_0"]
    assert (settled.status, settled.provider_reference) == ("succeeded", "re_stripe")
    assert (flow.payment.status, flow.payment.amount_refunded) == ("partially_refunded", 4_000)


def test_news_of_a_known_refund_reference_is_routed_without_a_payment_id() -> None:
    flow = refunding(4_000)
    flow.send(refund_webhook("refunded", provider_reference="re_stripe", refund_id="re_0"))
    flow.send(refund("re_1", 1_000))
    flow.send(operation_ok("re_1", "refund", 1_000))
    assert flow.send(refund_webhook("failed", provider_reference="re_stripe")) == []
    assert flow.payment.amount_refunded == 5_000


def test_a_refund_failure_by_webhook_releases_its_amount() -> None:
    flow = refunding(4_000)
    assert types(flow.send(refund_webhook("failed", refund_id="re_0"))) == ["RefundFailed"]
    assert flow.uow.refunds.rows["re_0"].status == "failed"
    assert (flow.payment.status, flow.payment.amount_refund_pending) == ("captured", 0)


def test_charge_level_news_matches_the_pending_refund_by_amount() -> None:
    flow = refunding(3_000, 5_000)
    assert types(flow.send(refund_webhook("refunded", amount_refunded=5_000))) == [
        "RefundSucceeded"
    ]
    assert flow.uow.refunds.rows["re_1"].status == "succeeded"
    assert flow.uow.refunds.rows["re_0"].status == "pending"
    flow.send(refund_webhook("refunded", amount_refunded=8_000))
    assert flow.uow.refunds.rows["re_0"].status == "succeeded"
    assert flow.payment.amount_refunded == 8_000


def test_charge_level_news_never_counts_a_refund_twice() -> None:
    flow = refunding(3_000)
    flow.send(operation_ok("re_0", "refund", 3_000))  # the synchronous answer came first
    assert flow.send(refund_webhook("refunded", amount_refunded=3_000)) == []
    assert flow.send(refund_webhook("refunded", amount_refunded=3_000)) == []
    assert flow.payment.amount_refunded == 3_000


def test_ambiguous_charge_level_news_settles_nothing() -> None:
    flow = refunding(3_000, 5_000)
    assert flow.send(refund_webhook("refunded", amount_refunded=4_000)) == []
    assert flow.payment.amount_refund_pending == 8_000


def test_charge_level_news_explained_by_all_pending_refunds_settles_them_all() -> None:
    flow = refunding(3_000, 5_000)
    sent = flow.send(refund_webhook("refunded", amount_refunded=8_000))
    assert types(sent) == ["RefundSucceeded", "RefundSucceeded"]
    assert (flow.payment.status, flow.payment.amount_refunded) == ("partially_refunded", 8_000)


def test_the_synchronous_answer_after_the_webhook_changes_nothing() -> None:
    flow = refunding(10_000)
    flow.send(refund_webhook("refunded", refund_id="re_0", provider_reference="re_s"))
    assert flow.send(operation_ok("re_0", "refund", 10_000)) == []
    assert (flow.payment.status, flow.payment.amount_refunded) == ("refunded", 10_000)


def test_the_answer_after_charge_level_news_names_the_refund_once() -> None:
    flow = refunding(3_000)
    flow.send(refund_webhook("refunded", amount_refunded=3_000))
    assert flow.uow.refunds.rows["re_0"].provider_reference is None
    answer = operation_ok("re_0", "refund", 3_000)
    sent = flow.send(answer)
    assert types(sent) == ["RefundSucceeded"]
    assert sent[0].payload["refund"]["provider_reference"] == "re_p"
    assert flow.send(answer) == []
    assert flow.payment.amount_refunded == 3_000
