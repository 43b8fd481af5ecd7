"""What Stripe says an attempt's PaymentIntent is now, for `get_status`. Pure: no I/O.

Statuses: https://docs.stripe.com/payments/paymentintents/lifecycle and
https://docs.stripe.com/api/payment_intents/object#payment_intent_object-status.
`requires_payment_method` after a confirmation carries `last_payment_error` (the decline);
without one, or in `requires_confirmation`, the intent was never charged and never will be
without a new confirmation, so the attempt failed. The search query is Stripe's search query
language: https://docs.stripe.com/search#search-query-language.
"""

from __future__ import annotations

from collections.abc import Sequence

import stripe

from payroute_common.messages import ProviderError
from provider_worker.adapters.base import ProviderStatus, StatusOutcome
from provider_worker.adapters.failures import malformed
from provider_worker.adapters.stripe_errors import normalize

OUTCOMES: dict[str, StatusOutcome] = {
    "succeeded": "captured",
    "requires_capture": "authorized",
    "requires_action": "requires_action",
    "processing": "pending",
    "requires_payment_method": "failed",
    "requires_confirmation": "failed",
    "canceled": "canceled",
}
# When a search finds several intents for one attempt, the one holding money wins.
RANK: dict[StatusOutcome, int] = {
    "captured": 5,
    "authorized": 4,
    "pending": 3,
    "requires_action": 2,
    "canceled": 1,
    "failed": 0,
}


def search_query(payment_id: str, attempt_id: str) -> str:
    """The intents Payroute created for this attempt (metadata set on create)."""
    return (
        f"metadata['attempt_id']:'{_quoted(attempt_id)}' AND "
        f"metadata['payment_id']:'{_quoted(payment_id)}'"
    )


def most_advanced(intents: Sequence[stripe.PaymentIntent]) -> stripe.PaymentIntent | None:
    known = [i for i in intents if i.status in OUTCOMES]
    return max(known, key=lambda i: RANK[OUTCOMES[i.status]], default=None)


def status_of(intent: stripe.PaymentIntent) -> ProviderStatus:
    """The intent, normalized. `amount_refunded` is read from `latest_charge` when it was
    expanded (the adapter asks for it), without the remainder a partial capture
    released (`refunds_of`); otherwise 0."""
    outcome = OUTCOMES.get(intent.status)
    if outcome is None:
        raise malformed(f"unknown PaymentIntent status {intent.status}", intent.id)
    amount = intent.amount
    if outcome == "captured":
        amount = intent.amount_received
    elif outcome == "authorized":
        amount = intent.amount_capturable or intent.amount
    return ProviderStatus(
        outcome=outcome,
        provider_reference=intent.id,
        amount=amount,
        currency=intent.currency.upper(),
        amount_refunded=_refunded(intent) if outcome == "captured" else 0,
        error=_error(intent) if outcome == "failed" else None,
    )


def _refunded(intent: stripe.PaymentIntent) -> int:
    charge = intent.latest_charge
    if isinstance(charge, stripe.Charge):
        return refunds_of(charge)
    return 0


def refunds_of(charge: stripe.Charge) -> int:
    """What refunds gave back of a captured charge. Stripe counts the remainder a partial
    capture released (authorized `amount` less `amount_captured`) in `amount_refunded`
    too: capturing 1,500 of 2,000 shows `amount_refunded: 500` with no refund at all."""
    released = charge.amount - charge.amount_captured if charge.captured else 0
    return max(0, charge.amount_refunded - released)


def _error(intent: stripe.PaymentIntent) -> ProviderError:
    last = intent.last_payment_error
    if last is None:
        return ProviderError(
            category="invalid_request",
            code=intent.status,
            message=f"The PaymentIntent was never charged (status {intent.status}).",
        )
    fields = last.to_dict()  # `param`, `decline_code`, … are present only when they apply
    card = fields.get("type") == "card_error"
    kind = stripe.CardError if card else stripe.InvalidRequestError
    error = kind(
        fields.get("message") or "",
        fields.get("param"),
        fields.get("code"),
        http_status=402 if card else 400,
        json_body={"error": fields},
    )
    return normalize(error)


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
