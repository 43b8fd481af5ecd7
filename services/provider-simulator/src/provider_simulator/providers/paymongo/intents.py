"""Payment intent transitions and the money each one moves. Pure: no I/O.

Statuses as PayMongo documents them
(https://developers.paymongo.com/docs/payment-intent-workflow):
awaiting_payment_method → (attach) awaiting_next_action | processing |
awaiting_capture | succeeded; a failed charge goes back to
awaiting_payment_method with `last_payment_error`; cancelled.
"""

from dataclasses import dataclass

from provider_simulator.ledger import Movement, MovementKind
from provider_simulator.providers.paymongo import PROVIDER
from provider_simulator.providers.paymongo.errors import PaymongoError, failed_state, invalid
from provider_simulator.providers.paymongo.ids import new_id
from provider_simulator.providers.paymongo.model import (
    Failure,
    Payment,
    PaymentIntent,
    PaymentMethod,
    Refund,
)

CANCELABLE = ("awaiting_payment_method", "awaiting_next_action", "awaiting_capture")


@dataclass(frozen=True, slots=True)
class Change:
    movements: tuple[Movement, ...] = ()
    events: tuple[tuple[str, Payment | Refund], ...] = ()
    """Webhook event types, each with the resource it carries."""


# PayMongo's payment method types, as Payroute names the methods (fee schedules).
METHODS = {"paymaya": "maya"}


def _movement(intent: PaymentIntent, kind: MovementKind, amount: int, ref: str) -> Movement:
    kind_of_method = intent.payment_method.type if intent.payment_method else None
    method = METHODS.get(kind_of_method or "", kind_of_method)
    return Movement(PROVIDER, ref, kind, amount, intent.currency, intent.payment_id, method)


def attach(
    intent: PaymentIntent, method: PaymentMethod, return_url: str | None, now: int
) -> Change:
    """Charge `method`, or stop at `awaiting_next_action` when the customer must confirm."""
    if intent.status != "awaiting_payment_method":
        raise failed_state(f"The payment intent cannot be attached: its status is {intent.status}.")
    if method.type not in intent.payment_method_allowed:
        raise invalid(
            "payment_method",
            f"{method.type} is not in the payment intent's payment_method_allowed.",
        )
    if method.behaviour.redirect and return_url is None:
        raise PaymongoError(
            400, "parameter_required", "return_url is required.", attribute="return_url"
        )
    intent.payment_method = method
    intent.return_url = return_url
    intent.last_payment_error = None
    if method.behaviour.redirect:
        intent.status = "awaiting_next_action"
        return Change()
    return charge(intent, now)


def confirm(intent: PaymentIntent, *, authorized: bool, failure: Failure, now: int) -> Change:
    """The customer's answer on the redirect page: authorize the payment or refuse it."""
    if intent.status != "awaiting_next_action":
        raise failed_state(f"The payment intent is not awaiting action: it is {intent.status}.")
    if authorized:
        return charge(intent, now)
    return _fail(intent, failure, now)


def charge(intent: PaymentIntent, now: int) -> Change:
    method = intent.payment_method
    assert method is not None
    if method.behaviour.failure is not None:
        return _fail(intent, method.behaviour.failure, now)
    if intent.capture_type == "manual":
        intent.status = "awaiting_capture"
        intent.amount_capturable = intent.amount
        return Change((_movement(intent, "authorization", intent.amount, intent.id),))
    payment = _payment(intent, intent.amount, "paid", now)
    intent.status = "succeeded"
    return Change(
        (_movement(intent, "charge", intent.amount, intent.id),), (("payment.paid", payment),)
    )


def capture(intent: PaymentIntent, amount: int, now: int) -> Change:
    if intent.status != "awaiting_capture":
        raise failed_state(f"The payment intent cannot be captured: its status is {intent.status}.")
    if amount > intent.amount_capturable:
        raise invalid("amount", f"amount cannot be more than {intent.amount_capturable}.")
    payment = _payment(intent, amount, "paid", now)
    intent.status = "succeeded"
    intent.amount_capturable = 0
    moved = _movement(intent, "capture", amount, intent.id)
    return Change((moved,), (("payment.paid", payment),))


def cancel(intent: PaymentIntent) -> Change:
    if intent.status not in CANCELABLE:
        raise failed_state(
            f"The payment intent cannot be cancelled: its status is {intent.status}."
        )
    movements: tuple[Movement, ...] = ()
    if intent.status == "awaiting_capture":
        movements = (_movement(intent, "void", intent.amount_capturable, intent.id),)
    intent.status = "cancelled"
    intent.amount_capturable = 0
    return Change(movements)


def refund(
    intent: PaymentIntent,
    payment: Payment,
    amount: int,
    reason: str,
    metadata: dict[str, str],
    now: int,
    *,
    pending: bool = False,
) -> tuple[Refund, Change]:
    """Refund at once, or `pending` (settled later by `settle_refund`): a pending refund
    holds its amount, moves no money yet and is announced only when it settles."""
    if payment.status != "paid":
        raise failed_state(f"The payment cannot be refunded: its status is {payment.status}.")
    remaining = payment.amount - payment.amount_refunded
    if amount > remaining:
        raise invalid("amount", f"amount cannot be more than the refundable {remaining}.")
    created = Refund(new_id("ref"), amount, payment.currency, payment.id, reason, now, metadata)
    payment.refunds.append(created)
    if pending:
        created.status = "pending"
        return created, Change()
    moved = _movement(intent, "refund", amount, created.id)
    return created, Change((moved,), (("payment.refunded", payment),))


def settle_refund(
    intent: PaymentIntent, payment: Payment, refund: Refund, *, succeeded: bool, now: int
) -> Change:
    """A pending refund's end, announced by `payment.refund.updated` (and, when the money
    left, `payment.refunded`); a failed refund's amount can be refunded again."""
    refund.updated_at = now
    if not succeeded:
        refund.status = "failed"
        return Change(events=(("payment.refund.updated", refund),))
    refund.status = "succeeded"
    moved = _movement(intent, "refund", refund.amount, refund.id)
    events = (("payment.refund.updated", refund), ("payment.refunded", payment))
    return Change((moved,), events)


def _fail(intent: PaymentIntent, failure: Failure, now: int) -> Change:
    payment = _payment(intent, intent.amount, "failed", now)
    payment.failure = failure
    intent.status = "awaiting_payment_method"
    intent.last_payment_error = failure
    return Change(events=(("payment.failed", payment),))


def _payment(intent: PaymentIntent, amount: int, status: str, now: int) -> Payment:
    assert intent.payment_method is not None
    payment = Payment(
        new_id("pay"),
        amount,
        intent.currency,
        intent.id,
        intent.payment_method,
        status,
        now,
        dict(intent.metadata),
        intent.description,
    )
    intent.payments.append(payment)
    return payment
