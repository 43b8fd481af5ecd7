"""One function per Stripe endpoint: read parameters, apply the transition, shape the answer."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from provider_simulator.formdata import FormDict
from provider_simulator.outcome import Announcement, Outcome
from provider_simulator.providers.stripe import balance, disputes, intents
from provider_simulator.providers.stripe import params as p
from provider_simulator.providers.stripe.errors import (
    invalid_param,
    invalid_request,
    resource_missing,
)
from provider_simulator.providers.stripe.ids import new_id, now
from provider_simulator.providers.stripe.model import PaymentIntent, PaymentMethod
from provider_simulator.providers.stripe.payment_methods import TEST_PAYMENT_METHODS
from provider_simulator.providers.stripe.serialize import (
    JsonDict,
    charge_json,
    decline_error,
    payment_intent_json,
)
from provider_simulator.providers.stripe.state import StripeState


@dataclass(frozen=True, slots=True)
class Call:
    request_id: str
    target: str = ""
    base_url: str = "http://127.0.0.1:8100"
    """Where the simulator is reached, for the URLs it hands out (3-D Secure redirects)."""
    soft_decline: bool = False
    """The scenario declines this charge softly whatever the card (`soft_decline_rate`)."""
    refunds: str = "immediate"
    """The scenario's `refunds` knob: immediate, pending_then_succeeded or _failed."""
    refund_settle_s: float = 0.0


Operation = Callable[[StripeState, FormDict, Call], Outcome]

CAPTURE_METHODS = ("automatic", "automatic_async", "manual")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
AUTHENTICATION_RESULTS = ("succeeded", "failed")
CREATE_PARAMS = frozenset(
    {
        "amount",
        "currency",
        "payment_method",
        "confirm",
        "capture_method",
        "metadata",
        "description",
        "customer",
        "receipt_email",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "return_url",
        "payment_method_types",
        "automatic_payment_methods",
        "payment_method_options",
        "off_session",
        "setup_future_usage",
        "confirmation_method",
        "error_on_requires_action",
        "use_stripe_sdk",
        "shipping",
        "transfer_group",
    }
)


def create_payment_intent(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, CREATE_PARAMS)
    amount = p.required_amount(params, "amount")
    currency = p.currency(params)
    capture_method = p.choice(params, "capture_method", CAPTURE_METHODS, default="automatic_async")
    confirm = p.boolean(params, "confirm", default=False)
    method = _payment_method(p.optional_str(params, "payment_method"))
    if confirm and method is None:
        raise p.missing("payment_method")
    return_url = p.optional_str(params, "return_url")
    if return_url is not None and not confirm:
        raise invalid_param(
            "The parameter return_url cannot be passed when creating a PaymentIntent unless "
            "confirm is set to true.",
            param="return_url",
        )
    expand = p.expand(params)
    intent_id = new_id("pi")
    intent = PaymentIntent(
        id=intent_id,
        amount=amount,
        currency=currency,
        capture_method=capture_method or "automatic_async",
        created=now(),
        client_secret=f"{intent_id}_secret_{new_id('cs')[3:]}",
        payment_method=method,
        metadata=p.metadata(params),
        description=p.optional_str(params, "description"),
        return_url=return_url,
    )
    state.intents[intent.id] = intent
    if not confirm:
        intent.status = "requires_confirmation" if method else "requires_payment_method"
        return Outcome(200, payment_intent_json(intent, expand))
    change = intents.confirm(intent, intent.created, soft_decline=call.soft_decline)
    if intent.status == "requires_action":
        intent.authentication_url = authentication_url(call.base_url, intent)
    if intent.latest_charge:
        state.intent_by_charge[intent.latest_charge] = intent.id
    if intent.decline is not None:
        body = decline_error(intent).body(call.request_id)
        return _outcome(state, intent, change, body=body, status=402)
    return _outcome(state, intent, change, expand)


def retrieve_payment_intent(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, ("client_secret",))
    intent = _intent(state, call.target)
    return Outcome(200, payment_intent_json(intent, p.expand(params)))


def authentication_url(base_url: str, intent: PaymentIntent) -> str:
    """The simulator's stand-in for Stripe's hosted 3-D Secure page (hooks.stripe.com)."""
    query = urlencode({"client_secret": intent.client_secret})
    return f"{base_url}/_sim/stripe/authenticate/{intent.id}?{query}"


def authenticate_payment_intent(state: StripeState, params: FormDict, call: Call) -> Outcome:
    """The customer completes (`result=succeeded`) or fails (`result=failed`) 3-D Secure."""
    intent = _intent(state, call.target)
    if p.optional_str(params, "client_secret") != intent.client_secret:
        raise resource_missing("payment_intent", call.target, param="client_secret")
    result = p.choice(params, "result", AUTHENTICATION_RESULTS, default="succeeded")
    change = intents.authenticate(intent, succeeded=result == "succeeded", now=now())
    if intent.latest_charge:
        state.intent_by_charge[intent.latest_charge] = intent.id
    return _outcome(state, intent, change)


def capture_payment_intent(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, ("amount_to_capture", "metadata", "statement_descriptor"))
    amount = p.optional_amount(params, "amount_to_capture")
    metadata = p.metadata(params)
    expand = p.expand(params)
    intent = _intent(state, call.target)
    p.within_limits(intent.metadata | metadata)
    change = intents.capture(intent, amount)
    if metadata:
        intent.metadata.update(metadata)
        state.intents[intent.id] = intent  # stored again: search finds its new metadata
    return _outcome(state, intent, change, expand)


def cancel_payment_intent(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, ("cancellation_reason",))
    reason = p.choice(params, "cancellation_reason", CANCELLATION_REASONS, default=None)
    expand = p.expand(params)
    intent = _intent(state, call.target)
    change = intents.cancel(intent, reason, now())
    return _outcome(state, intent, change, expand)


def retrieve_charge(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, ())
    intent_id = state.intent_by_charge.get(call.target)
    if intent_id is None:
        raise resource_missing("charge", call.target, param="id")
    return Outcome(200, charge_json(state.intents[intent_id]))


def _payment_method(token: str | None) -> PaymentMethod | None:
    if token is None:
        return None
    card = TEST_PAYMENT_METHODS.get(token)
    if card is None:
        raise resource_missing("PaymentMethod", token, param="payment_method", status=400)
    return PaymentMethod(new_id("pm"), card, now())


def _intent(state: StripeState, intent_id: str) -> PaymentIntent:
    intent = state.intents.get(intent_id)
    if intent is None:
        raise resource_missing("payment_intent", intent_id, param="intent")
    return intent


def _outcome(
    state: StripeState,
    intent: PaymentIntent,
    change: intents.Change,
    expand: frozenset[str] = frozenset(),
    *,
    body: JsonDict | None = None,
    status: int = 200,
) -> Outcome:
    """The change's money booked, its events announced, and the answer: `body`, else the
    intent as it is once booked (its Charge names its balance transaction)."""
    movements = balance.book_all(state, intent, change.movements)
    if body is None:
        body = payment_intent_json(intent, expand)
    announcements = tuple(
        Announcement(event, _event_object(event, intent)) for event in change.events
    )
    announcements += disputes.open_if_disputed(state, intent)
    return Outcome(status, body, movements, announcements)


def _event_object(event: str, intent: PaymentIntent) -> JsonDict:
    return charge_json(intent) if event.startswith("charge.") else payment_intent_json(intent)


def retrieve_balance(state: StripeState, params: FormDict, call: Call) -> Outcome:
    """GET /v1/balance (https://docs.stripe.com/api/balance/balance_object)."""
    p.reject_unknown(params, ())
    return Outcome(200, balance.balance_json(state))


def retrieve_balance_transaction(state: StripeState, params: FormDict, call: Call) -> Outcome:
    p.reject_unknown(params, ())
    txn = state.balance_transactions.get(call.target)
    if txn is None:
        raise resource_missing("balance transaction", call.target, param="id")
    return Outcome(200, balance.balance_transaction_json(txn))


def unrecognized(state: StripeState, params: FormDict, call: Call) -> Outcome:
    raise invalid_request(
        f"Unrecognized request URL ({call.target}). Please see https://stripe.com/docs "
        "or we can help at https://support.stripe.com/.",
        status=404,
    )
