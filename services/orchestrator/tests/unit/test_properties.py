"""Random sequences of merchant commands and provider news through the handlers.

Whatever the order, duplicates or lateness: money never exceeds what was
authorized or captured (refunds and lost disputes included), terminal statuses
stay terminal, fees add up, and every event carries a newer version of the payment.
"""

from datetime import timedelta
from typing import Literal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from orchestrator.domain import TERMINAL, TRANSITIONS
from orchestrator.testing import (
    DECLINE,
    TIMEOUT,
    attempt_failed,
    attempt_ok,
    cancel,
    capture,
    create,
    dispute_webhook,
    operation_failed,
    operation_ok,
    refund,
    refund_webhook,
    verify,
    webhook,
)
from payroute_common.envelope import Envelope
from payroute_common.messages.provider_results import ProviderOperation
from payroute_common.messages.provider_webhooks import WebhookOutcome
from payroute_common.messages.values import CaptureMethod, PaymentMethodType

from .flow import Flow

AMOUNT = 10_000
amounts = st.integers(min_value=1, max_value=AMOUNT + 500)
errors = st.sampled_from([DECLINE, TIMEOUT])
refund_amounts = st.integers(min_value=1, max_value=AMOUNT // 3) | amounts
by_card = precondition(lambda self: self.attempt_id is not None)
dispute_statuses = st.sampled_from(["needs_response", "under_review", "won", "lost"])


class PaymentLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.flow = Flow()
        self.last_version = 0
        self.statuses: list[str] = []
        self.operations: list[tuple[str, ProviderOperation, int]] = []  # (id, kind, amount)
        self.refund_ids: list[str] = []

    def _send(self, message: object) -> list[Envelope]:
        sent = self.flow.send(message)  # type: ignore[arg-type]
        for envelope in sent:
            if "payment" in envelope.payload:
                version = envelope.payload["payment"]["version"]
                assert version > self.last_version
                self.last_version = version
            if envelope.event_type in {"CaptureAuthorization", "VoidAuthorization"}:
                kind: ProviderOperation = (
                    "capture" if envelope.event_type == "CaptureAuthorization" else "void"
                )
                amount = envelope.payload.get("amount", 0)
                self.operations.append((envelope.payload["operation_id"], kind, amount))
        return sent

    @initialize(
        method=st.sampled_from(["card", "cash"]),
        capture_method=st.sampled_from(["automatic", "manual"]),
        head_start=st.sampled_from([None, "captured", "authorized", "requires_action"]),
    )
    def create(
        self,
        method: PaymentMethodType,
        capture_method: CaptureMethod,
        head_start: Literal["captured", "authorized", "requires_action"] | None,
    ) -> None:
        """A new payment; a card one maybe already answered, so later steps go further."""
        self._send(create(method, amount=AMOUNT, capture_method=capture_method))
        self.attempt_id = self.flow.payment.attempts[0].attempt_id if method == "card" else None
        if self.attempt_id and head_start:
            self._send(attempt_ok(self.attempt_id, head_start, redirect_url="https://3ds"))

    @by_card
    @rule(outcome=st.sampled_from(["captured", "authorized", "requires_action"]))
    def attempt_succeeds(
        self, outcome: Literal["captured", "authorized", "requires_action"]
    ) -> None:
        if self.attempt_id:
            self._send(attempt_ok(self.attempt_id, outcome, redirect_url="https://3ds"))

    @by_card
    @rule(error=errors)
    def attempt_fails(self, error: object) -> None:
        if self.attempt_id:
            self._send(attempt_failed(self.attempt_id, error))  # type: ignore[arg-type]

    @by_card
    @rule(
        outcome=st.sampled_from(["succeeded", "authorized", "failed", "canceled"]),
        amount=st.none() | amounts,
    )
    def webhook_arrives(self, outcome: WebhookOutcome, amount: int | None) -> None:
        if self.attempt_id:
            self._send(webhook(outcome, amount))

    @rule(amount=st.none() | amounts)
    def merchant_captures(self, amount: int | None) -> None:
        assert len(self._send(capture(amount))) == 1  # an answer, or the provider is asked

    @rule()
    def merchant_cancels(self) -> None:
        assert len(self._send(cancel())) == 1

    @precondition(lambda self: self.attempt_id is None)
    @rule(decision=st.sampled_from(["approve", "reject"]))
    def operator_verifies(self, decision: Literal["approve", "reject"]) -> None:
        assert len(self._send(verify(decision))) == 1

    @precondition(lambda self: self.attempt_id is None)
    @rule()
    def verification_expires(self) -> None:
        p = self.flow.payment
        if p.verification_expires_at is not None:
            p.verification_expires_at = p.created_at - timedelta(seconds=1)
        self._send_timers()

    def _send_timers(self) -> None:
        for envelope in self.flow.fire_timers():
            version = envelope.payload["payment"]["version"]
            assert version > self.last_version
            self.last_version = version

    @precondition(lambda self: bool(self.operations))
    @rule(data=st.data(), succeeded=st.booleans(), error=errors)
    def provider_answers_an_operation(
        self, data: st.DataObject, succeeded: bool, error: object
    ) -> None:
        op_id, kind, amount = data.draw(st.sampled_from(self.operations))
        if succeeded:
            self._send(operation_ok(op_id, kind, amount))
        else:
            self._send(operation_failed(op_id, kind, error))  # type: ignore[arg-type]

    @rule(amount=refund_amounts)
    def merchant_refunds(self, amount: int) -> None:
        refund_id = f"re_{len(self.refund_ids)}"
        self.refund_ids.append(refund_id)
        assert self._send(refund(refund_id, amount))

    @precondition(lambda self: bool(self.refund_ids))
    @rule(data=st.data(), succeeded=st.booleans(), error=errors)
    def provider_answers_a_refund(
        self, data: st.DataObject, succeeded: bool, error: object
    ) -> None:
        refund_id = data.draw(st.sampled_from(self.refund_ids))
        if succeeded:
            self._send(operation_ok(refund_id, "refund", 1))
        else:
            self._send(operation_failed(refund_id, "refund", error))  # type: ignore[arg-type]

    @by_card
    @rule(
        opened=st.booleans(),
        status=dispute_statuses,
        amount=st.none() | amounts,
        dispute_id=st.sampled_from(["dp_1", "dp_2"]),
    )
    def provider_reports_a_dispute(
        self, opened: bool, status: str, amount: int | None, dispute_id: str
    ) -> None:
        self._send(dispute_webhook("opened" if opened else "closed", status, amount, dispute_id))

    @precondition(lambda self: bool(self.refund_ids))
    @rule(
        data=st.data(),
        outcome=st.sampled_from(["refunded", "failed"]),
        total=st.none() | st.integers(min_value=0, max_value=AMOUNT),
    )
    def provider_reports_a_refund(
        self, data: st.DataObject, outcome: Literal["refunded", "failed"], total: int | None
    ) -> None:
        if total is not None:
            self._send(refund_webhook("refunded", amount_refunded=total))
        else:
            refund_id = data.draw(st.sampled_from(self.refund_ids))
            self._send(refund_webhook(outcome, refund_id=refund_id, provider_reference="re_x"))

    @invariant()
    def money_adds_up(self) -> None:
        p = self.flow.payment
        refunds = self.flow.uow.refunds.rows.values()
        assert 0 <= p.amount_captured <= p.amount
        assert 0 <= p.amount_capturable <= p.amount
        refunded = sum(r.amount for r in refunds if r.status == "succeeded")
        lost = p.dispute.amount if p.dispute and p.dispute.outcome == "lost" else 0
        assert refunded <= p.amount_refunded <= refunded + lost
        assert p.amount_refund_pending == sum(r.amount for r in refunds if r.status == "pending")
        assert p.amount_refunded + p.amount_refund_pending <= p.amount_captured
        if p.amount_captured > 0:
            assert p.fees is not None
            assert p.fees.provider_fee + p.fees.platform_fee + p.fees.net == p.amount_captured

    @invariant()
    def statuses_only_move_forward(self) -> None:
        status = self.flow.payment.status
        if self.statuses and self.statuses[-1] != status:
            previous = self.statuses[-1]
            assert previous not in TERMINAL
            assert status in TRANSITIONS[previous]  # type: ignore[index]
        self.statuses.append(status)


PaymentLifecycle.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None
)
TestPaymentLifecycle = PaymentLifecycle.TestCase
