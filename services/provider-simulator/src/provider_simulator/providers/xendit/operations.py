"""One function per Xendit endpoint: read the JSON body, apply the change, shape the answer.

Pure over the account's state: no I/O; money moved and callbacks to send are
returned in the Outcome for the pipeline to apply.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from payroute_common.money import currency_exponent
from provider_simulator.ledger import Movement
from provider_simulator.outcome import Announcement, Later, Outcome
from provider_simulator.providers.xendit import PROVIDER
from provider_simulator.providers.xendit import errors as e
from provider_simulator.providers.xendit.model import PaymentRequest, Refund
from provider_simulator.providers.xendit.state import XenditState, reference_tag, request_tag
from provider_simulator.providers.xendit.tokens import (
    CARD_TOKENS,
    COUNTRIES,
    EWALLET_CHANNELS,
    REFUND_REASONS,
    WALLET_DECLINE,
)


@dataclass(frozen=True, slots=True)
class Call:
    target: str = ""
    base_url: str = "http://127.0.0.1:8100"
    query: Mapping[str, str] = field(default_factory=dict)
    refunds: str = "immediate"
    """The scenario's `refunds` knob (see `create_refund`)."""
    refund_settle_s: float = 0.0


Operation = Callable[[XenditState, Any, Call], Outcome]
REFUND_FAILURE_CODE = "REFUND_FAILED"


def create_payment_request(state: XenditState, body: Any, call: Call) -> Outcome:
    body = _object(body)
    currency = _text(body, "currency")
    if currency not in COUNTRIES:
        raise e.validation(f"currency {currency} is not supported")
    if body.get("country", COUNTRIES[currency]) != COUNTRIES[currency]:
        raise e.validation("country does not match currency")
    amount = _amount(body, currency)
    pm = body.get("payment_method")
    if not isinstance(pm, dict) or pm.get("type") not in ("EWALLET", "CARD"):
        raise e.validation("payment_method.type must be EWALLET or CARD")
    request = PaymentRequest(
        id=f"pr-{uuid.uuid4()}",
        reference_id=_text(body, "reference_id"),
        amount=amount,
        currency=currency,
        country=COUNTRIES[currency],
        payment_method={**pm, "id": f"pm-{uuid.uuid4()}", "status": "ACTIVE"},
        method="card",
        created=_now(),
        metadata=dict(body.get("metadata") or {}),
        description=body.get("description"),
    )
    if pm["type"] == "EWALLET":
        _wallet(request, pm, call)
    else:
        _card(request, pm, call)
    state.requests[request.id] = request
    return _settled(request, status=201)


def get_payment_request(state: XenditState, _: Any, call: Call) -> Outcome:
    return Outcome(200, _request(state, call.target).to_json())


def list_payment_requests(state: XenditState, _: Any, call: Call) -> Outcome:
    wanted = call.query.get("reference_id")
    requests = state.requests
    found = requests.scan() if wanted is None else requests.find((reference_tag(wanted),))
    return Outcome(200, {"data": [r.to_json() for r in found], "has_more": False, "links": []})


def create_refund(state: XenditState, body: Any, call: Call) -> Outcome:
    body = _object(body)
    request = _request(state, _text(body, "payment_request_id"))
    if request.status != "SUCCEEDED":
        raise e.XenditError(400, "INELIGIBLE_TRANSACTION", "The payment has not succeeded")
    reference_id = _text(body, "reference_id")
    if state.refunds.find((reference_tag(reference_id),)):
        raise e.duplicate(f"a refund with reference_id {reference_id} exists already")
    reason = body.get("reason")
    if reason not in REFUND_REASONS:
        raise e.validation(f"reason must be one of {sorted(REFUND_REASONS)}")
    remaining = request.amount - request.refunded
    amount = _amount(body, request.currency) if "amount" in body else remaining
    if amount > remaining:
        raise e.XenditError(
            400, "MAXIMUM_REFUND_AMOUNT_REACHED", "The amount exceeds what can be refunded"
        )
    refund = Refund(
        id=f"rfd-{uuid.uuid4()}",
        payment_request_id=request.id,
        reference_id=reference_id,
        amount=amount,
        currency=request.currency,
        reason=str(reason),
        created=_now(),
        metadata=dict(body.get("metadata") or {}),
    )
    request.refunded += amount
    state.refunds[refund.id] = refund
    if call.refunds == "immediate":
        return _refund_settled(request, refund, succeeded=True)
    refund.status = "PENDING"
    succeeds = call.refunds == "pending_then_succeeded"
    later = Later(call.refund_settle_s, _settlement(state, refund.id, succeeds))
    return Outcome(200, refund.to_json(), later=(later,))


def _settlement(state: XenditState, refund_id: str, succeeds: bool) -> Callable[[], Outcome]:
    """A PENDING refund's end, announced by `refund.succeeded` or `refund.failed`."""

    def settle() -> Outcome:
        refund = state.refunds.get(refund_id)
        request = state.requests.get(refund.payment_request_id) if refund else None
        if refund is None or request is None or refund.status != "PENDING":
            return Outcome(200, {})  # reset since, or settled
        refund.updated = _now()
        return _refund_settled(request, refund, succeeded=succeeds)

    return settle


def _refund_settled(request: PaymentRequest, refund: Refund, *, succeeded: bool) -> Outcome:
    """The money leaves (a ledger movement), or the refund fails and frees its amount."""
    if not succeeded:
        refund.status = "FAILED"
        refund.failure_code = REFUND_FAILURE_CODE
        request.refunded -= refund.amount
        failed = Announcement("refund.failed", refund.to_json())
        return Outcome(200, refund.to_json(), announcements=(failed,))
    refund.status = "SUCCEEDED"
    move = Movement(
        PROVIDER,
        refund.id,
        "refund",
        refund.amount,
        refund.currency,
        _payment_id(refund.metadata) or _payment_id(request.metadata),
        request.method,
    )
    succeeded_ = Announcement("refund.succeeded", refund.to_json())
    return Outcome(200, refund.to_json(), movements=(move,), announcements=(succeeded_,))


def list_refunds(state: XenditState, _: Any, call: Call) -> Outcome:
    wanted = call.query.get("payment_request_id")
    found = state.refunds.scan() if wanted is None else state.refunds.find((request_tag(wanted),))
    return Outcome(200, {"data": [r.to_json() for r in found], "has_more": False})


def authorize(state: XenditState, body: Any, call: Call) -> Outcome:
    """The customer approves (or declines) in the wallet or the 3-D Secure page."""
    request = _request(state, call.target)
    if request.status != "REQUIRES_ACTION":
        return Outcome(200, request.to_json())
    if call.query.get("result", "succeeded") == "failed":
        request.status = "FAILED"
        request.failure_code = call.query.get("failure_code") or WALLET_DECLINE
    else:
        request.status = "SUCCEEDED"
    request.actions = []
    return _settled(request, status=200)


def _wallet(request: PaymentRequest, pm: dict[str, Any], call: Call) -> None:
    ewallet = pm.get("ewallet")
    channel = ewallet.get("channel_code") if isinstance(ewallet, dict) else None
    if not isinstance(ewallet, dict) or channel not in EWALLET_CHANNELS:
        raise e.validation(f"ewallet.channel_code must be one of {sorted(EWALLET_CHANNELS)}")
    request.method = EWALLET_CHANNELS[str(channel)]
    _require_action(request, ewallet.get("channel_properties"), call)


def _card(request: PaymentRequest, pm: dict[str, Any], call: Call) -> None:
    card = pm.get("card")
    if not isinstance(card, dict):
        raise e.validation("payment_method.card is required for CARD")
    info = card.get("card_information")
    token = info.get("token_id") if isinstance(info, dict) else None
    behaviour = CARD_TOKENS.get(str(token))
    if behaviour is None:
        raise e.XenditError(400, "INVALID_PAYMENT_METHOD", f"unknown card token {token}")
    request.payment_method = {**request.payment_method, "card": {**card, "card_information": {}}}
    if behaviour.status == "REQUIRES_ACTION":
        _require_action(request, card.get("channel_properties"), call)
        return
    request.status = behaviour.status
    request.failure_code = behaviour.failure_code


def _require_action(request: PaymentRequest, properties: Any, call: Call) -> None:
    request.status = "REQUIRES_ACTION"
    request.return_urls = dict(properties) if isinstance(properties, dict) else {}
    url = f"{call.base_url}/_sim/xendit/authorize/{request.id}"
    request.actions = [{"action": "AUTH", "url_type": "WEB", "method": "GET", "url": url}]


def _settled(request: PaymentRequest, *, status: int) -> Outcome:
    """The answer, plus the charge and callback when the request just ended."""
    if request.status not in ("SUCCEEDED", "FAILED"):
        return Outcome(status, request.to_json())
    movements: tuple[Movement, ...] = ()
    if request.status == "SUCCEEDED":
        request.payment_id = f"py-{uuid.uuid4()}"
        movements = (
            Movement(
                PROVIDER,
                request.id,
                "charge",
                request.amount,
                request.currency,
                _payment_id(request.metadata),
                request.method,
            ),
        )
    event = "payment.succeeded" if request.status == "SUCCEEDED" else "payment.failed"
    callback = Announcement(event, request.payment_json(_now()))
    return Outcome(status, request.to_json(), movements, (callback,))


def _request(state: XenditState, request_id: str) -> PaymentRequest:
    request = state.requests.get(request_id)
    if request is None:
        raise e.not_found(f"payment request {request_id}")
    return request


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise e.validation("the body must be a JSON object")
    return body


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise e.validation(f"{key} is required")
    return value


def _amount(body: dict[str, Any], currency: str) -> int:
    value = body.get("amount")
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise e.validation("amount must be a positive number")
    scaled = Decimal(str(value)).scaleb(currency_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise e.validation("amount has more decimals than the currency allows")
    return int(scaled)


def _payment_id(metadata: Mapping[str, Any]) -> str | None:
    value = metadata.get("payment_id")
    return value if isinstance(value, str) else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
