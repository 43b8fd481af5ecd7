"""One function per PayMongo endpoint: read the attributes, apply the transition, shape
the answer (https://developers.paymongo.com/reference)."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from provider_simulator.outcome import Announcement, Later, Outcome
from provider_simulator.providers.paymongo import intents
from provider_simulator.providers.paymongo import params as p
from provider_simulator.providers.paymongo import serialize as s
from provider_simulator.providers.paymongo.errors import invalid, not_found
from provider_simulator.providers.paymongo.ids import new_id, now
from provider_simulator.providers.paymongo.model import PaymentIntent, PaymentMethod, Refund
from provider_simulator.providers.paymongo.state import PaymongoState
from provider_simulator.providers.paymongo.tokens import (
    CUSTOMER_FAILED,
    WALLET_BEHAVIOURS,
    WALLET_TYPES,
    test_payment_method,
)

MIN_AMOUNT = 2000  # ₱20.00
CURRENCIES = ("PHP",)
METHOD_TYPES = ("card", "gcash", "paymaya", "grab_pay", "dob", "billease")
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "others")
WEBHOOK_FIRST_HOLD_S = 2.0
"""How long attach answers late for `..._webhookFirst` tokens: time for the webhook to land."""
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class Call:
    target: str = ""
    base_url: str = "http://127.0.0.1:8100"
    """Where the simulator is reached, for the redirect URLs it hands out."""
    query: dict[str, str] | None = None
    refunds: str = "immediate"
    """The scenario's `refunds` knob (see refunds in intents.py)."""
    refund_settle_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Answer:
    outcome: Outcome
    hold_s: float = 0.0
    """Seconds to hold the HTTP answer back after its effects and webhooks went out."""


Operation = Callable[[PaymongoState, Any, Call], Answer]


def create_payment_intent(state: PaymongoState, body: Any, call: Call) -> Answer:
    attrs = p.attributes(body)
    p.reject_unknown(attrs, CREATE_ATTRIBUTES)
    intent_id = new_id("pi")
    intent = PaymentIntent(
        id=intent_id,
        amount=p.amount(attrs, "amount", minimum=MIN_AMOUNT) or 0,
        currency=p.choice(attrs, "currency", CURRENCIES, default="PHP"),
        capture_type=p.choice(attrs, "capture_type", ("automatic", "manual"), "automatic"),
        payment_method_allowed=p.text_list(attrs, "payment_method_allowed", METHOD_TYPES),
        created_at=now(),
        client_key=f"{intent_id}_client_{new_id('ck')[3:]}",
        metadata=p.metadata(attrs),
        description=p.text(attrs, "description"),
    )
    state.intents[intent.id] = intent
    return Answer(Outcome(200, s.document(s.payment_intent(intent))))


CREATE_ATTRIBUTES = (
    "amount",
    "currency",
    "payment_method_allowed",
    "payment_method_options",
    "capture_type",
    "description",
    "statement_descriptor",
    "metadata",
    "setup_future_usage",
)


def retrieve_payment_intent(state: PaymongoState, body: Any, call: Call) -> Answer:
    return Answer(Outcome(200, s.document(s.payment_intent(_intent(state, call.target)))))


def create_payment_method(state: PaymongoState, body: Any, call: Call) -> Answer:
    """Wallets only: cards need card details, which Payroute never holds; it passes
    test payment method ids (see tokens.py) instead."""
    attrs = p.attributes(body)
    kind = p.choice(attrs, "type", METHOD_TYPES, default="")
    if kind not in WALLET_TYPES:
        raise invalid("type", f"The simulator creates only {', '.join(WALLET_TYPES)} methods.")
    method = PaymentMethod(
        new_id("pm"), kind, WALLET_BEHAVIOURS["success"], now(), p.metadata(attrs)
    )
    state.methods[method.id] = method
    return Answer(Outcome(200, s.document(s.payment_method(method))))


def attach_payment_intent(state: PaymongoState, body: Any, call: Call) -> Answer:
    attrs = p.attributes(body)
    p.reject_unknown(attrs, ("payment_method", "return_url", "client_key"))
    intent = _intent(state, call.target)
    method = _payment_method(state, p.text(attrs, "payment_method", optional=False) or "")
    return_url = p.text(attrs, "return_url")
    change = intents.attach(intent, method, return_url, now())
    if intent.status == "awaiting_next_action":
        intent.redirect_url = f"{call.base_url}/_sim/paymongo/redirect/{intent.id}"
    answer = s.document(s.payment_intent(intent))
    if intent.status == "awaiting_next_action" and method.behaviour.webhook_first:
        paid = intents.confirm(intent, authorized=True, failure=CUSTOMER_FAILED, now=now())
        return Answer(_outcome(state, intent, _merge(change, paid), answer), WEBHOOK_FIRST_HOLD_S)
    return Answer(_outcome(state, intent, change, answer))


def confirm_redirect(state: PaymongoState, body: Any, call: Call) -> Answer:
    """The customer on the redirect page: `result=failed` refuses, anything else pays."""
    intent = _intent(state, call.target)
    authorized = (call.query or {}).get("result") != "failed"
    change = intents.confirm(intent, authorized=authorized, failure=CUSTOMER_FAILED, now=now())
    return Answer(_outcome(state, intent, change, s.document(s.payment_intent(intent))))


def capture_payment_intent(state: PaymongoState, body: Any, call: Call) -> Answer:
    attrs = p.attributes(body)
    p.reject_unknown(attrs, ("amount",))
    intent = _intent(state, call.target)
    amount = p.amount(attrs, "amount", minimum=1)
    change = intents.capture(intent, amount or 0, now())
    return Answer(_outcome(state, intent, change, s.document(s.payment_intent(intent))))


def cancel_payment_intent(state: PaymongoState, body: Any, call: Call) -> Answer:
    intent = _intent(state, call.target)
    change = intents.cancel(intent)
    return Answer(_outcome(state, intent, change, s.document(s.payment_intent(intent))))


def create_refund(state: PaymongoState, body: Any, call: Call) -> Answer:
    attrs = p.attributes(body)
    p.reject_unknown(attrs, ("amount", "payment_id", "reason", "notes", "metadata"))
    amount = p.amount(attrs, "amount", minimum=1) or 0
    payment_id = p.text(attrs, "payment_id", optional=False) or ""
    reason = p.choice(attrs, "reason", REFUND_REASONS, default="requested_by_customer")
    found = state.payment(payment_id)
    if found is None:
        raise not_found("payment", payment_id)
    intent, payment = found
    pending = call.refunds != "immediate"
    created, change = intents.refund(
        intent, payment, amount, reason, p.metadata(attrs), now(), pending=pending
    )
    outcome = _outcome(state, intent, change, s.document(s.refund(created)))
    if pending:
        succeeds = call.refunds == "pending_then_succeeded"
        later = Later(call.refund_settle_s, _settlement(state, payment.id, created.id, succeeds))
        outcome = replace(outcome, later=(later,))
    return Answer(outcome)


def _settlement(
    state: PaymongoState, payment_id: str, refund_id: str, succeeds: bool
) -> Callable[[], Outcome]:
    """The pending refund's end, found again by id when it comes."""

    def settle() -> Outcome:
        found = state.payment(payment_id)
        refunds = found[1].refunds if found else []
        refund = next((r for r in refunds if r.id == refund_id), None)
        if found is None or refund is None or refund.status != "pending":
            return Outcome(200, {})  # reset since, or settled
        intent, payment = found
        change = intents.settle_refund(intent, payment, refund, succeeded=succeeds, now=now())
        return _outcome(state, intent, change, {})

    return settle


def retrieve_payment(state: PaymongoState, body: Any, call: Call) -> Answer:
    found = state.payment(call.target)
    if found is None:
        raise not_found("payment", call.target)
    return Answer(Outcome(200, s.document(s.payment(found[1]))))


def list_payments(state: PaymongoState, body: Any, call: Call) -> Answer:
    """Newest first; `before` (a payment id) pages to older ones; `limit` 1..100."""
    query = call.query or {}
    try:
        limit = min(max(int(query.get("limit", "10")), 1), MAX_PAGE)
    except ValueError:
        raise invalid("limit", "limit must be an integer.") from None
    page, more = state.payments(limit, before=query.get("before"))
    return Answer(Outcome(200, {"data": [s.payment(x) for x in page], "has_more": more}))


def _intent(state: PaymongoState, intent_id: str) -> PaymentIntent:
    intent = state.intents.get(intent_id)
    if intent is None:
        raise not_found("payment intent", intent_id)
    return intent


def _payment_method(state: PaymongoState, method_id: str) -> PaymentMethod:
    known = state.methods.get(method_id)
    if known is not None:
        return known
    test = test_payment_method(method_id)
    if test is None:
        raise not_found("payment method", method_id)
    kind, behaviour = test
    return PaymentMethod(method_id, kind, behaviour, now())


def _merge(first: intents.Change, second: intents.Change) -> intents.Change:
    return intents.Change(first.movements + second.movements, first.events + second.events)


def _outcome(
    state: PaymongoState, intent: PaymentIntent, change: intents.Change, body: s.JsonDict
) -> Outcome:
    state.remember(intent)
    announcements = tuple(
        Announcement(kind, s.refund(obj) if isinstance(obj, Refund) else s.payment(obj))
        for kind, obj in change.events
    )
    return Outcome(200, body, change.movements, announcements)
