"""Stripe's JSON shapes for PaymentIntent, Charge, PaymentMethod, Refund and Event
(disputes: disputes.py; balance transactions: balance.py)."""

from collections.abc import Collection

from provider_simulator.providers.stripe import API_VERSION
from provider_simulator.providers.stripe.errors import StripeError
from provider_simulator.providers.stripe.ids import new_id, now
from provider_simulator.providers.stripe.model import PaymentIntent, PaymentMethod, Refund

JsonDict = dict[str, object]
ADDRESS: JsonDict = {
    "city": None,
    "country": None,
    "line1": None,
    "line2": None,
    "postal_code": None,
    "state": None,
}
BILLING_DETAILS: JsonDict = {"address": ADDRESS, "email": None, "name": None, "phone": None}
"""Payroute sends no billing details: Stripe shows them all null."""


def payment_intent_json(intent: PaymentIntent, expand: Collection[str] = ()) -> JsonDict:
    method = intent.payment_method
    method_json: object = method.id if method else None
    if method and "payment_method" in expand:
        method_json = payment_method_json(method)
    charge_json_: object = intent.latest_charge
    if intent.latest_charge and "latest_charge" in expand:
        charge_json_ = charge_json(intent)
    return {
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount,
        "amount_capturable": intent.amount_capturable,
        "amount_details": {"tip": {}},
        "amount_received": intent.amount_received,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": intent.canceled_at,
        "cancellation_reason": intent.cancellation_reason,
        "capture_method": intent.capture_method,
        "client_secret": intent.client_secret,
        "confirmation_method": "automatic",
        "created": intent.created,
        "currency": intent.currency,
        "customer": None,
        "description": intent.description,
        "last_payment_error": _last_payment_error(intent),
        "latest_charge": charge_json_,
        "livemode": False,
        "metadata": dict(intent.metadata),
        "next_action": _next_action(intent),
        "on_behalf_of": None,
        "payment_method": method_json,
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": intent.status,
        "transfer_data": None,
        "transfer_group": None,
    }


def _next_action(intent: PaymentIntent) -> JsonDict | None:
    """3-D Secure: a URL to send the customer to when the confirmation gave a `return_url`;
    otherwise Stripe.js must handle it (`use_stripe_sdk`). See
    https://docs.stripe.com/api/payment_intents/object#payment_intent_object-next_action."""
    if intent.status != "requires_action" or intent.authentication_url is None:
        return None
    if intent.return_url is None:
        return {
            "type": "use_stripe_sdk",
            "use_stripe_sdk": {
                "type": "three_d_secure_redirect",
                "stripe_js": intent.authentication_url,
            },
        }
    return {
        "type": "redirect_to_url",
        "redirect_to_url": {"return_url": intent.return_url, "url": intent.authentication_url},
    }


def payment_method_json(method: PaymentMethod) -> JsonDict:
    card = method.card
    return {
        "id": method.id,
        "object": "payment_method",
        "billing_details": BILLING_DETAILS,
        "card": {
            "brand": card.brand,
            "country": "US",
            "exp_month": 12,
            "exp_year": 2034,
            "funding": card.funding,
            "last4": card.last4,
        },
        "created": method.created,
        "customer": None,
        "livemode": False,
        "metadata": {},
        "type": "card",
    }


def charge_json(intent: PaymentIntent) -> JsonDict:
    """The intent's latest Charge. What was authorized and never captured (a partial
    capture's rest, a canceled authorization) counts in `amount_refunded`, as at Stripe."""
    decline = intent.decline
    amount_refunded = intent.amount_released + intent.amount_refunded
    outcome: JsonDict = {
        "network_status": "approved_by_network",
        "reason": None,
        "risk_level": "normal",
        "seller_message": "Payment complete.",
        "type": "authorized",
    }
    if decline is not None:
        outcome = {
            "network_status": "declined_by_network",
            "reason": decline.decline_code or decline.code,
            "risk_level": "normal",
            "seller_message": decline.seller_message,
            "type": decline.outcome_type,
        }
    return {
        "id": intent.latest_charge,
        "object": "charge",
        "amount": intent.amount,
        "amount_captured": intent.amount_received,
        "amount_refunded": amount_refunded,
        "balance_transaction": intent.balance_transaction,
        "billing_details": BILLING_DETAILS,
        "captured": intent.amount_received > 0,
        "created": intent.charge_created,
        "currency": intent.currency,
        "description": intent.description,
        "disputed": intent.disputed,
        "failure_code": decline.code if decline else None,
        "failure_message": decline.message if decline else None,
        "livemode": False,
        "metadata": dict(intent.metadata),
        "outcome": outcome,
        "paid": decline is None,
        "payment_intent": intent.id,
        "payment_method": intent.payment_method.id if intent.payment_method else None,
        "refunded": amount_refunded > 0 and amount_refunded >= intent.amount,
        "status": "failed" if decline else "succeeded",
    }


def refund_json(refund: Refund) -> JsonDict:
    return {
        "id": refund.id,
        "object": "refund",
        "amount": refund.amount,
        "balance_transaction": refund.balance_transaction,
        "charge": refund.charge,
        "created": refund.created,
        "currency": refund.currency,
        "failure_reason": refund.failure_reason,
        "metadata": dict(refund.metadata),
        "payment_intent": refund.payment_intent,
        "reason": refund.reason,
        "receipt_number": None,
        "status": refund.status,
    }


def decline_error(intent: PaymentIntent) -> StripeError:
    """The 402 card_error Stripe answers a declined confirmation with."""
    error = _last_payment_error(intent)
    assert error is not None
    return StripeError(
        402,
        "card_error",
        str(error["message"]),
        code=str(error["code"]),
        extra={
            **error,
            "payment_intent": payment_intent_json(intent),
        },
    )


def _last_payment_error(intent: PaymentIntent) -> JsonDict | None:
    decline = intent.decline
    if decline is None or intent.status != "requires_payment_method":
        return None
    error: JsonDict = {
        "type": "card_error",
        "code": decline.code,
        "message": decline.message,
        "charge": intent.latest_charge,
        "doc_url": f"https://stripe.com/docs/error-codes/{decline.code.replace('_', '-')}",
        "payment_method": (
            payment_method_json(intent.payment_method) if intent.payment_method else None
        ),
    }
    if decline.decline_code is not None:
        error["decline_code"] = decline.decline_code
    return error


def event_json(
    event_type: str, data_object: JsonDict, *, request_id: str | None, idempotency_key: str | None
) -> JsonDict:
    return {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now(),
        "data": {"object": data_object},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": event_type,
    }
