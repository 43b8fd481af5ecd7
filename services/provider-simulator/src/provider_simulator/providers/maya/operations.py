"""One function per Maya endpoint: read the JSON body, apply the change, shape the answer.

Pure over the account's state: money moved and webhooks to send are returned in
the Outcome for the pipeline to apply.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from payroute_common.money import currency_exponent
from provider_simulator.ledger import Movement, MovementKind
from provider_simulator.outcome import Announcement
from provider_simulator.providers.maya import PROVIDER
from provider_simulator.providers.maya import errors as e
from provider_simulator.providers.maya.model import Payment, Refund
from provider_simulator.providers.maya.state import MayaState

CURRENCIES = frozenset({"PHP"})
# `result` on the hosted page → the payment's final status.
RESULTS = {
    "succeeded": "PAYMENT_SUCCESS",
    "failed": "PAYMENT_FAILED",
    "expired": "PAYMENT_EXPIRED",
    "cancel": "PAYMENT_CANCELLED",
}
REDIRECTS = {"PAYMENT_SUCCESS": "success", "PAYMENT_CANCELLED": "cancel"}


@dataclass(frozen=True, slots=True)
class Call:
    target: str = ""
    base_url: str = "http://127.0.0.1:8100"
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Like provider_simulator.outcome.Outcome, but Maya also answers with JSON arrays."""

    status: int
    body: object
    movements: tuple[Movement, ...] = ()
    announcements: tuple[Announcement, ...] = ()


Operation = Callable[[MayaState, Any, Call], Outcome]


def create_checkout(state: MayaState, body: Any, call: Call) -> Outcome:
    body = _object(body)
    total = body.get("totalAmount")
    if not isinstance(total, dict):
        raise e.invalid("totalAmount", "totalAmount is required")
    currency = total.get("currency")
    if currency not in CURRENCIES:
        raise e.invalid("totalAmount.currency", "A valid currency is required.")
    rrn = body.get("requestReferenceNumber")
    if not isinstance(rrn, str) or not 1 <= len(rrn) <= 36:
        raise e.invalid("requestReferenceNumber", "requestReferenceNumber is required")
    redirect = body.get("redirectUrl")
    payment = Payment(
        id=str(uuid.uuid4()),
        request_reference_number=rrn,
        amount=_minor(total.get("value"), str(currency), "totalAmount.value"),
        currency=str(currency),
        created=_now(),
        redirect_urls=dict(redirect) if isinstance(redirect, dict) else {},
        metadata=dict(body.get("metadata") or {}),
    )
    state.payments[payment.id] = payment
    url = f"{call.base_url}/_sim/maya/checkout/{payment.id}"
    return Outcome(200, {"checkoutId": payment.id, "redirectUrl": url})


def get_payment(state: MayaState, _: Any, call: Call) -> Outcome:
    return Outcome(200, _payment(state, call.target).to_json())


def payments_by_rrn(state: MayaState, _: Any, call: Call) -> Outcome:
    found = [p.to_json() for p in state.payments.find((call.target,))]
    if not found:
        raise e.payment_not_found()
    return Outcome(200, found)


def void_payment(state: MayaState, body: Any, call: Call) -> Outcome:
    payment = _payment(state, call.target)
    if payment.status == "VOIDED":
        raise e.already_voided()
    if payment.status != "PAYMENT_SUCCESS" or payment.refunds:
        raise e.MayaError(400, "2561", "Transaction cannot be voided")
    payment.status, payment.updated = "VOIDED", _now()
    reason = _object(body).get("reason") or "Voided"
    answer = {
        "id": str(uuid.uuid4()),
        "payment": payment.id,
        "status": "SUCCESS",
        "reason": reason,
        "requestReferenceNumber": payment.request_reference_number,
        "createdAt": payment.updated,
        "updatedAt": payment.updated,
    }
    move = _move(payment, payment.id, "void", payment.amount)
    return Outcome(200, answer, (move,), (Announcement(payment.status, payment.to_json()),))


def refund_payment(state: MayaState, body: Any, call: Call) -> Outcome:
    payment = _payment(state, call.target)
    body = _object(body)
    if payment.status not in ("PAYMENT_SUCCESS", "REFUNDED"):
        raise e.MayaError(400, "2545", "Transaction cannot be refunded")
    total = body.get("totalAmount")
    if not isinstance(total, dict) or total.get("currency") != payment.currency:
        raise e.invalid("totalAmount.currency", "A valid currency is required.")
    amount = _minor(total.get("amount"), payment.currency, "totalAmount.amount")
    if amount > payment.amount - payment.refunded:
        raise e.excessive_refund()
    rrn = body.get("requestReferenceNumber")
    refund = Refund(
        id=str(uuid.uuid4()),
        payment=payment.id,
        amount=amount,
        currency=payment.currency,
        reason=str(body.get("reason") or "Refund"),
        request_reference_number=rrn if isinstance(rrn, str) else None,
        created=_now(),
    )
    payment.refunds.append(refund)
    if payment.refunded == payment.amount:
        payment.status = "REFUNDED"
    payment.updated = refund.created
    return Outcome(200, refund.to_json(), (_move(payment, refund.id, "refund", amount),))


def list_refunds(state: MayaState, _: Any, call: Call) -> Outcome:
    return Outcome(200, [r.to_json() for r in _payment(state, call.target).refunds])


def complete_checkout(state: MayaState, _: Any, call: Call) -> Outcome:
    """The customer pays (or not) on the hosted page: `result` and `method` say how."""
    payment = _payment(state, call.target)
    if payment.status != "PENDING_TOKEN":
        return Outcome(200, payment.to_json())
    status = RESULTS.get(call.query.get("result", "succeeded"), "PAYMENT_FAILED")
    payment.method = "card" if call.query.get("method") == "card" else "maya"
    payment.status, payment.updated = status, _now()
    moves = (
        (_move(payment, payment.id, "charge", payment.amount),)
        if status == RESULTS["succeeded"]
        else ()
    )
    return Outcome(200, payment.to_json(), moves, (Announcement(status, payment.to_json()),))


def redirect_for(payment: Payment) -> str | None:
    """Where the hosted page sends the customer back: `redirectUrl.success|failure|cancel`."""
    url = payment.redirect_urls.get(REDIRECTS.get(payment.status, "failure"))
    return url if isinstance(url, str) else None


def _move(payment: Payment, reference: str, kind: MovementKind, amount: int) -> Movement:
    return Movement(
        PROVIDER, reference, kind, amount, payment.currency, payment.payment_id, payment.method
    )


def _payment(state: MayaState, payment_id: str) -> Payment:
    payment = state.payments.get(payment_id)
    if payment is None:
        raise e.payment_not_found()
    return payment


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise e.invalid("body", "the body must be a JSON object")
    return body


def _minor(value: object, currency: str, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise e.invalid(name, "value must be a number")
    try:
        scaled = Decimal(str(value)).scaleb(currency_exponent(currency))
    except InvalidOperation:
        raise e.invalid(name, "value must be a number") from None
    if scaled <= 0 or scaled != scaled.to_integral_value():
        raise e.invalid(name, "value must be a positive amount in pesos")
    return int(scaled)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
