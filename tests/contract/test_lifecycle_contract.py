"""Whatever gateway-api's pre-checks accept, the orchestrator's domain accepts too.

The gateway refuses capture, cancel, verify and refund requests against its read
model before it sends a command; the orchestrator's aggregate is the final judge.
Both read `payroute_common.lifecycle`, and this test holds them together: for
every status and operation (and, by property, every amount), a gateway "yes"
must never meet an orchestrator "no". The converse need not hold: the gateway
may refuse more (its read model trails), never less.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway_api import domain as gateway
from orchestrator.domain import operations, refunds
from orchestrator.domain.errors import PaymentError
from orchestrator.domain.payment import Payment as OrchestratedPayment
from payroute_common.lifecycle import TRANSITIONS
from payroute_common.messages import PaymentMethod
from payroute_common.messages.values import PaymentStatus

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
STATUSES: tuple[PaymentStatus, ...] = get_args(PaymentStatus)
OPERATIONS = ("capture", "cancel", "verify", "refund")
HOLDS_AUTHORIZATION = frozenset({"authorized"})
MONEY_TAKEN = frozenset({"captured", "partially_refunded", "refunded", "disputed"})


def test_every_status_is_in_the_lifecycle() -> None:
    assert set(STATUSES) == set(TRANSITIONS)


def _amounts(status: PaymentStatus, amount: int, refunded: int) -> tuple[int, int, int]:
    """Capturable, captured and refunded amounts of a payment of `amount` in `status`."""
    taken = status in MONEY_TAKEN
    capturable = amount if status in HOLDS_AUTHORIZATION else 0
    return capturable, amount if taken else 0, refunded if taken else 0


def _method(operation: str) -> PaymentMethod:
    return PaymentMethod(type="cash" if operation == "verify" else "card")


def gateway_accepts(
    status: PaymentStatus, operation: str, amount: int, requested: int | None, refunded: int
) -> bool:
    capturable, captured, refunded = _amounts(status, amount, refunded)
    payment = gateway.Payment(
        id="pay_1",
        amount=amount,
        amount_capturable=capturable,
        amount_captured=captured,
        amount_refunded=refunded,
        merchant_id="mch_1",
        currency="PHP",
        capture_method="manual",
        payment_method=_method(operation),
        created_at=NOW,
        updated_at=NOW,
        status=status,
    )
    checks: dict[str, Callable[[], object]] = {
        "capture": lambda: gateway.check_capture(payment, requested),
        "cancel": lambda: gateway.check_cancel(payment),
        "verify": lambda: gateway.check_verify(payment),
        "refund": lambda: gateway.check_refund(payment, requested, payment.amount_refunded),
    }
    try:
        checks[operation]()
    except gateway.GatewayError:
        return False
    return True


def orchestrator_accepts(
    status: PaymentStatus, operation: str, amount: int, requested: int | None, refunded: int
) -> bool:
    capturable, captured, refunded = _amounts(status, amount, refunded)
    payment = OrchestratedPayment(
        payment_id="pay_1",
        amount=amount,
        amount_capturable=capturable,
        amount_captured=captured,
        amount_refunded=refunded,
        merchant_id="mch_1",
        currency="PHP",
        capture_method="manual",
        payment_method=_method(operation),
        created_at=NOW,
        updated_at=NOW,
        status=status,
        provider="manual" if operation == "verify" else "stripe",
    )
    try:
        if operation == "capture":
            operations.request_capture(payment, "op_1", requested)
        elif operation == "cancel":
            operations.request_void(payment, "op_1")
        elif operation == "verify":
            operations.verify(payment, "approve", None, NOW)
        else:
            wanted = requested if requested is not None else _gateway_refund_amount(payment)
            refund, _ = refunds.open_refund(payment, "re_1", wanted, "PHP", None, NOW)
            return refund.status == "pending"
    except PaymentError:
        return False
    return True


def _gateway_refund_amount(payment: OrchestratedPayment) -> int:
    """What the gateway sends when no amount is given: everything still refundable."""
    return payment.amount_captured - payment.amount_refunded


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("status", STATUSES)
def test_a_gateway_yes_is_an_orchestrator_yes(status: PaymentStatus, operation: str) -> None:
    accepted = gateway_accepts(status, operation, 10_000, None, 0)

    assert not accepted or orchestrator_accepts(status, operation, 10_000, None, 0), (
        f"the gateway accepts {operation} of a {status} payment; the orchestrator refuses it"
    )


@given(
    status=st.sampled_from(STATUSES),
    operation=st.sampled_from(OPERATIONS),
    amount=st.integers(min_value=1, max_value=10**9),
    # The API's schema refuses non-positive amounts before any pre-check.
    requested=st.none() | st.integers(min_value=1, max_value=2 * 10**9),
    refunded=st.integers(min_value=0, max_value=10**9),
)
def test_the_contract_holds_for_every_amount(
    status: PaymentStatus, operation: str, amount: int, requested: int | None, refunded: int
) -> None:
    refunded = min(refunded, amount)
    if gateway_accepts(status, operation, amount, requested, refunded):
        assert orchestrator_accepts(status, operation, amount, requested, refunded)


def test_the_gateway_accepts_what_each_status_is_for() -> None:
    """Not a contract of refusals only: each operation is accepted where it belongs."""
    accepted = {
        operation: {s for s in STATUSES if gateway_accepts(s, operation, 10_000, None, 0)}
        for operation in OPERATIONS
    }

    assert accepted == {
        "capture": {"authorized"},
        "cancel": {"authorized"},
        "verify": {"pending_verification"},
        "refund": {"captured", "partially_refunded"},
    }
