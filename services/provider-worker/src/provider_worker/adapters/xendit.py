"""Xendit adapter over the Payment Requests API: e-wallets (GCash, Maya) and cards.

API (field names, statuses and codes as Xendit documents them):
- authorize: `POST /payment_requests`
  (https://developers.xendit.co/api-reference/#create-payment-request) with
  `reference_id` (the attempt id), `amount` in major units, `currency`, `country`,
  `payment_method {type EWALLET|CARD, reusability ONE_TIME_USE, ...}` and
  `metadata`. E-wallets answer `REQUIRES_ACTION` with
  `actions[{action: AUTH, url_type: WEB, url}]`; the customer approves in the
  wallet and the payment completes by callback. Cards may answer `SUCCEEDED` or
  `FAILED` (with `failure_code`) at once.
- get_status: `GET /payment_requests/{id}`, or `GET /payment_requests?reference_id=`
  when the id never came back; refunds so far from `GET /refunds?payment_request_id=`.
- refund: `POST /refunds` (https://developers.xendit.co/api-reference/#create-refund)
  with `payment_request_id`, `reference_id` (the refund's operation id), `amount`,
  `currency`, `reason`, `metadata`.
- capture and void: payment requests here are captured at once
  (the catalog lists no manual capture for Xendit), so there is no authorization to
  capture or release; both are refused without calling Xendit.

Auth is HTTP Basic with the secret key as user name and an empty password. The
attempt or operation id is the `idempotency-key`, so a command delivered twice
never moves money twice. `metadata.payment_id` ties Xendit's objects and callbacks
back to Payroute's payment; `metadata.traceparent` (the payment's trace, from the
command, so a re-send is the same request) lets the callbacks rejoin its trace.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    RefundCharge,
    VoidAuthorization,
)
from provider_worker.adapters.amounts import to_major, to_minor
from provider_worker.adapters.base import (
    Authorization,
    OperationResult,
    ProviderFailure,
    ProviderStatus,
    StatusOutcome,
)
from provider_worker.adapters.failures import (
    malformed,
    refund_failed,
    unreadable_answers_are_malformed,
    unsupported,
)
from provider_worker.adapters.transport import json_answer, send
from provider_worker.adapters.xendit_errors import api_error, payment_failure

COUNTRIES = {"PHP": "PH", "IDR": "ID"}
EWALLET_CHANNELS = {"gcash": "GCASH", "maya": "PAYMAYA"}
# https://developers.xendit.co/api-reference/#payment-request-object (status)
STATUSES: dict[str, StatusOutcome] = {
    "SUCCEEDED": "captured",
    "AWAITING_CAPTURE": "authorized",
    "REQUIRES_ACTION": "requires_action",
    "PENDING": "pending",
    "FAILED": "failed",
    "CANCELED": "canceled",
    "VOIDED": "canceled",
}
# Where the customer goes to approve, best first.
URL_TYPES = ("WEB", "MOBILE", "DEEPLINK")
REFUND_REASONS = {
    "duplicate": "DUPLICATE",
    "fraudulent": "FRAUDULENT",
    "requested_by_customer": "REQUESTED_BY_CUSTOMER",
}
# https://developers.xendit.co/api-reference/#refund-object: `PENDING` settles later
# (`refund.succeeded` / `refund.failed` callbacks); `FAILED` carries `failure_code`.
REFUND_OUTCOMES: dict[str, Literal["succeeded", "pending"]] = {
    "SUCCEEDED": "succeeded",
    "PENDING": "pending",
}
NAME = "Xendit"


class XenditAdapter:
    name = "xendit"

    def __init__(
        self,
        secret_key: str,
        api_base: str,
        timeout_s: float,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=api_base,
            auth=httpx.BasicAuth(secret_key, ""),
            timeout=timeout_s,
            transport=transport,
        )

    @unreadable_answers_are_malformed(NAME)
    async def authorize(self, command: AuthorizePayment) -> Authorization:
        body = {
            "reference_id": command.attempt_id,
            "amount": to_major(command.amount, command.currency),
            "currency": command.currency,
            "country": _country(command.currency),
            "payment_method": _payment_method(command),
            "metadata": {
                **command.metadata,
                "payment_id": command.payment_id,
                "attempt_id": command.attempt_id,
            },
        }
        if command.description:
            body["description"] = command.description
        request = await self._send("POST", "/payment_requests", body, command.attempt_id)
        reference = str(request["id"])
        status = request.get("status")
        if status == "FAILED":
            raise ProviderFailure(payment_failure(request.get("failure_code")), reference)
        outcome = {"SUCCEEDED": "captured", "AWAITING_CAPTURE": "authorized"}.get(str(status))
        if outcome is None and status in ("REQUIRES_ACTION", "PENDING"):
            # PENDING: the channel is asking the customer by itself; a callback follows.
            outcome = "requires_action"
        if outcome is None:
            raise malformed(f"unexpected payment request status {status}", reference)
        return Authorization(
            outcome=outcome,  # type: ignore[arg-type]
            provider_reference=reference,
            amount=to_minor(request["amount"], str(request["currency"])),
            currency=str(request["currency"]),
            redirect_url=_action_url(request.get("actions")),
        )

    async def capture(self, command: CaptureAuthorization) -> OperationResult:
        raise unsupported("manual_capture_not_supported", "Xendit payments are captured at once")

    async def void(self, command: VoidAuthorization) -> OperationResult:
        raise unsupported("void_not_supported", "Xendit payments hold no authorization to void")

    @unreadable_answers_are_malformed(NAME)
    async def refund(self, command: RefundCharge) -> OperationResult:
        body = {
            "payment_request_id": command.provider_reference,
            "reference_id": command.operation_id,
            "amount": to_major(command.amount, command.currency),
            "currency": command.currency,
            "reason": REFUND_REASONS.get(command.reason or "", "OTHERS"),
            "metadata": {
                **command.metadata,
                "payment_id": command.payment_id,
                "refund_id": command.operation_id,
            },
        }
        refund = await self._send("POST", "/refunds", body, command.operation_id)
        reference, status = str(refund["id"]), str(refund.get("status"))
        if status == "FAILED":
            raise refund_failed(NAME, status, refund.get("failure_code"), reference)
        outcome = REFUND_OUTCOMES.get(status)
        if outcome is None:
            raise malformed(f"unexpected refund status {status}", reference)
        currency = str(refund["currency"])
        return OperationResult(reference, to_minor(refund["amount"], currency), currency, outcome)

    @unreadable_answers_are_malformed(NAME)
    async def get_status(
        self, payment_id: str, attempt_id: str, provider_reference: str | None
    ) -> ProviderStatus | None:
        request = await self._find(attempt_id, provider_reference)
        if request is None:
            return None
        reference, status = str(request["id"]), str(request.get("status"))
        currency = str(request["currency"])
        outcome = STATUSES.get(status)
        if outcome is None:
            raise malformed(f"unexpected payment request status {status}", reference)
        error = payment_failure(request.get("failure_code")) if outcome == "failed" else None
        refunded = await self._refunded(reference, currency) if outcome == "captured" else 0
        return ProviderStatus(
            outcome=outcome,
            provider_reference=reference,
            amount=to_minor(request["amount"], currency),
            currency=currency,
            amount_refunded=refunded,
            error=error,
        )

    @unreadable_answers_are_malformed(NAME)
    async def health_check(self) -> None:
        """Payment requests by a reference id no attempt uses: an empty list
        (https://developers.xendit.co/api-reference/#list-payment-requests)."""
        params = {"reference_id": "payroute_health_check"}
        await self._send("GET", "/payment_requests", params=params)

    async def close(self) -> None:
        await self._http.aclose()

    async def _find(self, attempt_id: str, reference: str | None) -> dict[str, Any] | None:
        if reference is not None:
            return await self._send("GET", f"/payment_requests/{reference}")
        found = await self._send("GET", "/payment_requests", params={"reference_id": attempt_id})
        requests = found.get("data") or []
        return dict(requests[0]) if requests else None

    async def _refunded(self, reference: str, currency: str) -> int:
        found = await self._send("GET", "/refunds", params={"payment_request_id": reference})
        return sum(
            to_minor(refund["amount"], currency)
            for refund in found.get("data") or []
            if refund.get("status") in REFUND_OUTCOMES
        )

    async def _send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = {"idempotency-key": idempotency_key} if idempotency_key else {}
        response = await send(
            self._http, method, path, refusal=api_error, json=body, params=params, headers=headers
        )
        answer = json_answer(response, NAME)
        if not isinstance(answer, dict):
            raise malformed("Xendit answered with something other than an object", None)
        return answer


def _country(currency: str) -> str:
    country = COUNTRIES.get(currency)
    if country is None:
        raise unsupported("currency_not_supported", f"Xendit does not take {currency} here")
    return country


def _payment_method(command: AuthorizePayment) -> dict[str, Any]:
    method = command.payment_method
    redirect = {}
    if command.return_url:
        redirect = {
            "success_return_url": command.return_url,
            "failure_return_url": command.return_url,
        }
    if method.type in EWALLET_CHANNELS:
        return {
            "type": "EWALLET",
            "reusability": "ONE_TIME_USE",
            "ewallet": {
                "channel_code": EWALLET_CHANNELS[method.type],
                "channel_properties": redirect,
            },
        }
    if method.type == "card" and method.token:
        return {
            "type": "CARD",
            "reusability": "ONE_TIME_USE",
            "card": {
                "currency": command.currency,
                "channel_properties": redirect,
                "card_information": {"token_id": method.token},
            },
        }
    raise unsupported("payment_method_not_supported", f"Xendit does not take {method.type} here")


def _action_url(actions: Any) -> str | None:
    urls = {
        action.get("url_type"): action.get("url")
        for action in actions or []
        if isinstance(action, dict) and action.get("action") == "AUTH"
    }
    return next((str(urls[kind]) for kind in URL_TYPES if urls.get(kind)), None)
