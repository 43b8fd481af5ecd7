"""Stripe refunds (https://docs.stripe.com/api/refunds): created `succeeded` at once, or,
as the scenario's `refunds` knob says, `pending` and settled `refund_settle_s` later to
`succeeded` or `failed` (with `failure_reason`), announced by `charge.refund.updated` and
`refund.updated` (plus `charge.refunded` on success). Money moves, in the ledger and as a
balance transaction, only when a refund succeeds; a failed one frees its amount again.
"""

from collections.abc import Callable

from provider_simulator.formdata import FormDict
from provider_simulator.ledger import Movement
from provider_simulator.outcome import Announcement, Later, Outcome
from provider_simulator.providers.stripe import balance, intents
from provider_simulator.providers.stripe import params as p
from provider_simulator.providers.stripe.errors import resource_missing
from provider_simulator.providers.stripe.ids import now
from provider_simulator.providers.stripe.model import PaymentIntent, Refund
from provider_simulator.providers.stripe.operations import Call
from provider_simulator.providers.stripe.serialize import JsonDict, charge_json, refund_json
from provider_simulator.providers.stripe.state import StripeState

REASONS = ("duplicate", "fraudulent", "requested_by_customer")
PARAMS = ("payment_intent", "charge", "amount", "reason", "metadata")


def create_refund(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, PARAMS)
    amount = p.optional_amount(params, "amount")
    reason = p.choice(params, "reason", REASONS, default=None)
    metadata = p.metadata(params)
    intent = _refunded_intent(state, params)
    pending = call.refunds != "immediate"
    refund, change = intents.refund(
        intent, amount, reason=reason, metadata=metadata, now=now(), pending=pending
    )
    state.refunds[refund.id] = refund
    movements = _book(state, intent, refund, change.movements)
    later: tuple[Later, ...] = ()
    if pending:
        succeeds = call.refunds == "pending_then_succeeded"
        settle = _settlement(state, refund.id, succeeds=succeeds)
        later = (Later(call.refund_settle_s, settle),)
    announcements = _announced(intent, refund, change.events)
    return Outcome(200, refund_json(refund), movements, announcements, later)


def retrieve_refund(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, ())
    refund = state.refunds.get(call.target)
    if refund is None:
        raise resource_missing("refund", call.target, param="id")
    return Outcome(200, refund_json(refund))


def _settlement(state: StripeState, refund_id: str, *, succeeds: bool) -> Callable[[], Outcome]:
    def settle() -> Outcome:
        refund = state.refunds.get(refund_id)
        if refund is None or refund.status != "pending":  # reset since, or settled
            return Outcome(200, {})
        intent = state.intents[refund.payment_intent]
        change = intents.settle_refund(intent, refund, succeeded=succeeds)
        movements = _book(state, intent, refund, change.movements)
        return Outcome(200, {}, movements, _announced(intent, refund, change.events))

    return settle


def _book(
    state: StripeState, intent: PaymentIntent, refund: Refund, movements: tuple[Movement, ...]
) -> tuple[Movement, ...]:
    booked = balance.book_all(state, intent, movements)
    for movement in booked:
        if movement.kind == "refund":
            refund.balance_transaction = movement.transaction_id
    return booked


def _announced(
    intent: PaymentIntent, refund: Refund, events: tuple[str, ...]
) -> tuple[Announcement, ...]:
    def carried(event: str) -> JsonDict:
        return charge_json(intent) if event == "charge.refunded" else refund_json(refund)

    return tuple(Announcement(event, carried(event)) for event in events)


def _refunded_intent(state: StripeState, params: FormDict) -> PaymentIntent:
    intent_id = p.optional_str(params, "payment_intent")
    charge_id = p.optional_str(params, "charge")
    if intent_id is not None:
        intent = state.intents.get(intent_id)
        if intent is None:
            raise resource_missing("payment_intent", intent_id, param="payment_intent", status=400)
        return intent
    if charge_id is not None:
        found = state.intent_by_charge.get(charge_id)
        if found is None:
            raise resource_missing("charge", charge_id, param="charge", status=400)
        return state.intents[found]
    raise p.missing("payment_intent")
