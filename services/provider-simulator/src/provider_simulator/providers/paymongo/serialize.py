"""PayMongo's JSON:API resources: `{"id", "type", "attributes"}`, wrapped in `{"data": ...}`."""

from typing import Any

from provider_simulator.providers.paymongo.ids import new_id
from provider_simulator.providers.paymongo.model import (
    Failure,
    Payment,
    PaymentIntent,
    PaymentMethod,
    Refund,
)

JsonDict = dict[str, Any]
STATEMENT_DESCRIPTOR = "PAYROUTE SIMULATOR"


def document(resource: JsonDict) -> JsonDict:
    return {"data": resource}


def _resource(resource_id: str, kind: str, attributes: JsonDict) -> JsonDict:
    return {"id": resource_id, "type": kind, "attributes": attributes}


def _error(failure: Failure | None, method: PaymentMethod | None) -> JsonDict | None:
    if failure is None:
        return None
    return {
        "failed_code": failure.code,
        "failed_message": failure.message,
        "payment_method": method.id if method else None,
    }


def payment_method(method: PaymentMethod) -> JsonDict:
    return _resource(
        method.id,
        "payment_method",
        {
            "type": method.type,
            "livemode": False,
            "billing": None,
            "details": None,
            "metadata": method.metadata or None,
            "created_at": method.created_at,
            "updated_at": method.created_at,
        },
    )


def refund(created: Refund) -> JsonDict:
    return _resource(
        created.id,
        "refund",
        {
            "amount": created.amount,
            "currency": created.currency,
            "livemode": False,
            "metadata": created.metadata or None,
            "notes": None,
            "payment_id": created.payment_id,
            "reason": created.reason,
            "status": created.status,
            "created_at": created.created_at,
            "updated_at": created.updated_at or created.created_at,
        },
    )


def payment(paid: Payment) -> JsonDict:
    failure = paid.failure
    return _resource(
        paid.id,
        "payment",
        {
            "amount": paid.amount,
            "currency": paid.currency,
            "description": paid.description,
            "status": paid.status,
            "livemode": False,
            "payment_intent_id": paid.payment_intent_id,
            "source": {"id": paid.source.id, "type": paid.source.type},
            "metadata": paid.metadata or None,
            "failed_code": failure.code if failure else None,
            "failed_message": failure.message if failure else None,
            "refunds": [refund(r) for r in paid.refunds],
            "paid_at": paid.created_at if paid.status == "paid" else None,
            "created_at": paid.created_at,
            "updated_at": paid.created_at,
        },
    )


def payment_intent(intent: PaymentIntent) -> JsonDict:
    next_action = None
    if intent.status == "awaiting_next_action":
        next_action = {
            "type": "redirect",
            "redirect": {"url": intent.redirect_url, "return_url": intent.return_url},
        }
    return _resource(
        intent.id,
        "payment_intent",
        {
            "amount": intent.amount,
            "capture_type": intent.capture_type,
            "client_key": intent.client_key,
            "currency": intent.currency,
            "description": intent.description,
            "livemode": False,
            "statement_descriptor": STATEMENT_DESCRIPTOR,
            "status": intent.status,
            "last_payment_error": _error(intent.last_payment_error, intent.payment_method),
            "payment_method_allowed": intent.payment_method_allowed,
            "payments": [payment(p) for p in intent.payments],
            "next_action": next_action,
            "payment_method_options": None,
            "metadata": intent.metadata or None,
            "created_at": intent.created_at,
            "updated_at": intent.created_at,
        },
    )


def event(event_type: str, resource: JsonDict, created_at: int) -> JsonDict:
    """A webhook event (https://developers.paymongo.com/docs/webhooks)."""
    return document(
        _resource(
            new_id("evt"),
            "event",
            {
                "type": event_type,
                "livemode": False,
                "data": resource,
                "previous_data": {},
                "created_at": created_at,
                "updated_at": created_at,
            },
        )
    )
