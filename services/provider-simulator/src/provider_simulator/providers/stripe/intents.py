"""PaymentIntent state transitions and the money each one moves. Pure: no I/O."""

from dataclasses import dataclass

from provider_simulator.ledger import Movement, MovementKind
from provider_simulator.providers.stripe import PROVIDER
from provider_simulator.providers.stripe.errors import (
    StripeError,
    invalid_request,
    unexpected_state,
)
from provider_simulator.providers.stripe.ids import new_id
from provider_simulator.providers.stripe.model import PaymentIntent, Refund
from provider_simulator.providers.stripe.payment_methods import TEST_PAYMENT_METHODS, Decline
from provider_simulator.providers.stripe.serialize import payment_intent_json

AUTHENTICATION_FAILURE = Decline(
    "payment_intent_authentication_failure",
    None,
    "The provided PaymentMethod has failed authentication. You can provide payment_method_data "
    "or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    seller_message="The customer failed 3-D Secure authentication.",
    outcome_type="authentication_failed",
)

# What the scenario knob `soft_decline_rate` declines with.
PROCESSING_ERROR = TEST_PAYMENT_METHODS["pm_card_chargeDeclinedProcessingError"].decline

# Why the `pending_then_failed` refunds knob fails a refund (one of Stripe's reasons).
REFUND_FAILURE_REASON = "expired_or_canceled_card"

CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)


@dataclass(frozen=True, slots=True)
class Change:
    movements: tuple[Movement, ...] = ()
    events: tuple[str, ...] = ()


def _movement(intent: PaymentIntent, kind: MovementKind, amount: int, ref: str) -> Movement:
    return Movement(PROVIDER, ref, kind, amount, intent.currency, intent.payment_id, method="card")


def confirm(
    intent: PaymentIntent, now: int, *, authenticated: bool = False, soft_decline: bool = False
) -> Change:
    """Charge the intent's payment method: ask for 3-D Secure, decline, authorize (manual)
    or charge. `soft_decline` declines it as a processing error whatever the card."""
    method = intent.payment_method
    if method is None:
        raise unexpected_state(
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            payment_intent_json(intent),
        )
    if method.card.authentication and not authenticated:
        intent.status = "requires_action"
        return Change(events=("payment_intent.requires_action",))
    intent.latest_charge = new_id("ch")
    intent.charge_created = now
    decline = method.card.decline or (PROCESSING_ERROR if soft_decline else None)
    if decline is not None:
        intent.decline = decline
        intent.status = "requires_payment_method"
        return Change(events=("payment_intent.payment_failed",))
    if intent.manual_capture:
        intent.status = "requires_capture"
        intent.amount_capturable = intent.amount
        authorization = _movement(intent, "authorization", intent.amount, intent.id)
        return Change((authorization,), ("payment_intent.amount_capturable_updated",))
    intent.status = "succeeded"
    intent.amount_received = intent.amount
    charge = _movement(intent, "charge", intent.amount, intent.id)
    return Change((charge,), ("payment_intent.succeeded",))


def authenticate(intent: PaymentIntent, *, succeeded: bool, now: int) -> Change:
    """The customer's answer to the 3-D Secure challenge the redirect showed."""
    if intent.status != "requires_action":
        raise unexpected_state(
            f"This PaymentIntent does not need authentication: it has a status of {intent.status}.",
            payment_intent_json(intent),
        )
    if succeeded:
        return confirm(intent, now, authenticated=True)
    intent.latest_charge = new_id("ch")
    intent.charge_created = now
    intent.decline = AUTHENTICATION_FAILURE
    intent.status = "requires_payment_method"
    return Change(events=("payment_intent.payment_failed",))


def capture(intent: PaymentIntent, amount_to_capture: int | None) -> Change:
    if intent.status != "requires_capture":
        raise unexpected_state(
            "This PaymentIntent could not be captured because it has a status of "
            f"{intent.status}. Only a PaymentIntent with one of the following statuses may be "
            "captured: requires_capture.",
            payment_intent_json(intent),
        )
    amount = intent.amount_capturable if amount_to_capture is None else amount_to_capture
    if amount > intent.amount_capturable:
        raise invalid_request(
            f"The amount_to_capture ({amount}) must be less than or equal to the "
            f"amount_capturable ({intent.amount_capturable}).",
            code="amount_too_large",
            param="amount_to_capture",
        )
    intent.status = "succeeded"
    intent.amount_received = amount
    intent.amount_released = intent.amount_capturable - amount
    intent.amount_capturable = 0
    captured = _movement(intent, "capture", amount, intent.id)
    return Change((captured,), ("payment_intent.succeeded",))


def cancel(intent: PaymentIntent, reason: str | None, now: int) -> Change:
    if intent.status not in CANCELABLE:
        raise unexpected_state(
            "You cannot cancel this PaymentIntent because it has a status of "
            f"{intent.status}. Only a PaymentIntent with one of the following statuses may be "
            f"canceled: {', '.join(CANCELABLE)}.",
            payment_intent_json(intent),
        )
    movements: tuple[Movement, ...] = ()
    if intent.status == "requires_capture":
        movements = (_movement(intent, "void", intent.amount_capturable, intent.id),)
        intent.amount_released = intent.amount_capturable
    intent.status = "canceled"
    intent.amount_capturable = 0
    intent.canceled_at = now
    intent.cancellation_reason = reason
    return Change(movements, ("payment_intent.canceled",))


def refund(
    intent: PaymentIntent,
    amount: int | None,
    *,
    reason: str | None,
    metadata: dict[str, str],
    now: int,
    pending: bool = False,
) -> tuple[Refund, Change]:
    """Refund the charge, at once or `pending` (settled later by `settle_refund`); a
    pending refund holds its amount but moves no money yet."""
    charge = intent.latest_charge
    if intent.status != "succeeded" or charge is None:
        raise unexpected_state(
            f"This PaymentIntent has a status of {intent.status}; only a PaymentIntent with a "
            "status of succeeded has a charge that can be refunded.",
            payment_intent_json(intent),
        )
    remaining = intent.amount_received - intent.amount_refunded
    if remaining <= 0:
        raise _already_refunded(charge)
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise invalid_request(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
            code="amount_too_large",
            param="amount",
        )
    intent.amount_refunded += amount
    created = Refund(
        new_id("re"), amount, intent.currency, charge, intent.id, now, metadata, reason
    )
    if pending:
        created.status = "pending"
        return created, Change(events=("refund.created",))
    movement = _movement(intent, "refund", amount, created.id)
    return created, Change((movement,), ("charge.refunded", "refund.created"))


def settle_refund(intent: PaymentIntent, refund: Refund, *, succeeded: bool) -> Change:
    """A pending refund's end: the money leaves, or the refund fails and its amount can
    be refunded again."""
    updated = ("charge.refund.updated", "refund.updated")
    if succeeded:
        refund.status = "succeeded"
        movement = _movement(intent, "refund", refund.amount, refund.id)
        return Change((movement,), (*updated, "charge.refunded"))
    refund.status = "failed"
    refund.failure_reason = REFUND_FAILURE_REASON
    intent.amount_refunded -= refund.amount
    return Change(events=updated)


def _already_refunded(charge: str) -> StripeError:
    return invalid_request(
        f"Charge {charge} has already been refunded.", code="charge_already_refunded"
    )
