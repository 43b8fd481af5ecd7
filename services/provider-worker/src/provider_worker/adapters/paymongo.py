"""PayMongo adapter over its HTTP API: payment intents for cards, GCash and Maya.

API (https://developers.paymongo.com/reference): base https://api.paymongo.com, HTTP
Basic auth with the secret key as username; JSON:API bodies `{"data": {"attributes"}}`.
- authorize: create a payment intent
  (https://developers.paymongo.com/reference/create-a-paymentintent: `amount`,
  `currency`, `payment_method_allowed`, `capture_type`, `description`, `metadata`),
  a payment method for wallets
  (https://developers.paymongo.com/reference/create-a-paymentmethod: `type` gcash |
  paymaya), then attach it
  (https://developers.paymongo.com/reference/attach-to-paymentintent:
  `payment_method`, `return_url`). The intent is then `succeeded`, `awaiting_capture`,
  `awaiting_next_action` (`next_action.redirect.url`: the customer confirms there,
  and `payment.paid` arrives by webhook), `processing`, or back at
  `awaiting_payment_method` with `last_payment_error` (declined).
- capture: https://developers.paymongo.com/reference/capture-a-paymentintent (`amount`).
- void: https://developers.paymongo.com/reference/cancel-a-paymentintent.
- refund: https://developers.paymongo.com/reference/create-a-refund (`amount`,
  `payment_id` = the intent's paid `pay_…`, `reason`, `metadata`).
- get_status: https://developers.paymongo.com/reference/retrieve-a-paymentintent;
  without the intent id, PayMongo has no search by metadata, so the adapter pages
  through https://developers.paymongo.com/reference/list-all-payments (newest
  first) for the payment whose `metadata.attempt_id` is the attempt's.

Cards: `payment_method.token` is an existing PayMongo payment method id (`pm_…`,
the simulator's test ids such as `pm_card_visa`). Wallets: with a token, the same;
without one, the adapter creates the payment method itself.

Every POST carries an `Idempotency-Key` (the attempt id, or the operation id):
PayMongo's reference does not document one, the simulator honours it, and the
adapter never depends on it to learn what happened. `metadata.payment_id` and
`metadata.attempt_id` tie PayMongo's objects and webhooks back to Payroute;
`metadata.traceparent` (the payment's trace, from the command, so a re-send is the
same request) lets the webhooks rejoin the payment's trace.
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
from provider_worker.adapters import paymongo_errors as errors
from provider_worker.adapters.base import (
    Authorization,
    OperationResult,
    ProviderFailure,
    ProviderStatus,
)
from provider_worker.adapters.failures import (
    malformed,
    refund_failed,
    unreadable_answers_are_malformed,
)
from provider_worker.adapters.paymongo_status import find_attempt, status_of
from provider_worker.adapters.transport import json_answer, no_answer, send

Json = dict[str, Any]

# Payroute's payment method types as PayMongo names them.
METHOD_TYPES = {"card": "card", "gcash": "gcash", "maya": "paymaya"}
WALLETS = frozenset({"gcash", "paymaya"})
# https://developers.paymongo.com/reference/create-a-refund: `reason`
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer", "others"})
# https://developers.paymongo.com/reference/refund-resource: `pending` settles later
# (`payment.refund.updated` webhook); `failed` gave nothing back.
REFUND_OUTCOMES: dict[str, Literal["succeeded", "pending"]] = {
    "succeeded": "succeeded",
    "pending": "pending",
}
NAME = "PayMongo"


class PaymongoAdapter:
    name = "paymongo"

    def __init__(
        self,
        secret_key: str,
        api_base: str,
        timeout_s: float,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=api_base.rstrip("/"),
            auth=httpx.BasicAuth(secret_key, ""),
            timeout=timeout_s,
            headers={"Accept": "application/json"},
            transport=transport,
        )

    @unreadable_answers_are_malformed(NAME)
    async def authorize(self, command: AuthorizePayment) -> Authorization:
        method_type = METHOD_TYPES.get(command.payment_method.type)
        if method_type is None:
            raise _invalid(f"PayMongo intents do not take {command.payment_method.type}")
        metadata = {
            **command.metadata,
            "payment_id": command.payment_id,
            "attempt_id": command.attempt_id,
        }
        attributes: Json = {
            "amount": command.amount,
            "currency": command.currency,
            "payment_method_allowed": [method_type],
            "capture_type": command.capture_method,
            "metadata": metadata,
        }
        if command.description:
            attributes["description"] = command.description
        intent = await self._post("/v1/payment_intents", attributes, key=command.attempt_id)
        method_id = command.payment_method.token or await self._wallet_method(
            method_type, command.attempt_id, metadata
        )
        attach: Json = {"payment_method": method_id}
        if command.return_url:
            attach["return_url"] = command.return_url
        path = f"/v1/payment_intents/{intent['id']}/attach"
        attached = await self._post(path, attach, key=f"{command.attempt_id}:attach")
        return _authorization(attached)

    @unreadable_answers_are_malformed(NAME)
    async def capture(self, command: CaptureAuthorization) -> OperationResult:
        path = f"/v1/payment_intents/{command.provider_reference}/capture"
        intent = await self._post(path, {"amount": command.amount}, key=command.operation_id)
        attrs = intent["attributes"]
        if attrs["status"] != "succeeded":
            raise malformed(f"payment intent is {attrs['status']} after capture", intent["id"])
        captured = sum(p["attributes"]["amount"] for p in _paid(attrs))
        return OperationResult(intent["id"], captured, attrs["currency"])

    @unreadable_answers_are_malformed(NAME)
    async def void(self, command: VoidAuthorization) -> OperationResult:
        path = f"/v1/payment_intents/{command.provider_reference}/cancel"
        intent = await self._post(path, {}, key=command.operation_id)
        attrs = intent["attributes"]
        if attrs["status"] != "cancelled":
            raise malformed(f"payment intent is {attrs['status']} after cancel", intent["id"])
        return OperationResult(intent["id"], attrs["amount"], attrs["currency"])

    @unreadable_answers_are_malformed(NAME)
    async def refund(self, command: RefundCharge) -> OperationResult:
        intent = await self._get(f"/v1/payment_intents/{command.provider_reference}")
        paid = _paid(intent["attributes"])
        if not paid:
            raise _invalid("the payment intent has no paid payment to refund", intent["id"])
        reason = command.reason if command.reason in REFUND_REASONS else "requested_by_customer"
        attributes: Json = {
            "amount": command.amount,
            "payment_id": paid[-1]["id"],
            "reason": reason,
            "metadata": {
                **command.metadata,
                "payment_id": command.payment_id,
                "refund_id": command.operation_id,
            },
        }
        refund = await self._post("/v1/refunds", attributes, key=command.operation_id)
        attrs = refund["attributes"]
        status = str(attrs["status"])
        if status == "failed":
            raise refund_failed(NAME, status, attrs.get("failure_reason"), refund["id"])
        outcome = REFUND_OUTCOMES.get(status)
        if outcome is None:
            raise malformed(f"unexpected refund status {status}", refund["id"])
        return OperationResult(refund["id"], attrs["amount"], attrs["currency"], outcome)

    @unreadable_answers_are_malformed(NAME)
    async def get_status(
        self, payment_id: str, attempt_id: str, provider_reference: str | None
    ) -> ProviderStatus | None:
        reference = provider_reference or await find_attempt(self._list_payments, attempt_id)
        if reference is None:
            return None
        return status_of(await self._get(f"/v1/payment_intents/{reference}"))

    @unreadable_answers_are_malformed(NAME)
    async def health_check(self) -> None:
        """The newest payment, if any
        (https://developers.paymongo.com/reference/list-all-payments, `limit=1`)."""
        await self._list_payments({"limit": 1})

    async def close(self) -> None:
        await self._http.aclose()

    async def _wallet_method(self, method_type: str, attempt_id: str, metadata: Json) -> str:
        if method_type not in WALLETS:
            raise _invalid("a card payment needs payment_method.token (a PayMongo pm_ id)")
        attributes = {"type": method_type, "metadata": metadata}
        method = await self._post(
            "/v1/payment_methods", attributes, key=f"{attempt_id}:payment_method"
        )
        return str(method["id"])

    async def _post(self, path: str, attributes: Json, *, key: str) -> Json:
        body = {"data": {"attributes": attributes}}
        answer = await self._send("POST", path, json=body, headers={"Idempotency-Key": key})
        return dict(answer["data"])

    async def _get(self, path: str) -> Json:
        return dict((await self._send("GET", path))["data"])

    async def _list_payments(self, params: dict[str, str | int]) -> Json:
        return await self._send("GET", "/v1/payments", params=params)

    async def _send(self, method: str, path: str, **kwargs: Any) -> Json:
        """One call; its JSON document, or a ProviderFailure with the error normalized."""
        response = await send(self._http, method, path, refusal=errors.error_answer, **kwargs)
        body = json_answer(response, NAME)
        if not isinstance(body, dict):
            raise malformed(f"PayMongo answered {path} with something other than an object")
        return body


def _authorization(intent: Json) -> Authorization:
    attrs = intent["attributes"]
    status = attrs["status"]
    amount, currency = attrs["amount"], attrs["currency"]
    if status == "succeeded":
        return Authorization("captured", intent["id"], amount, currency)
    if status == "awaiting_capture":
        return Authorization("authorized", intent["id"], amount, currency)
    if status == "awaiting_next_action":
        redirect = ((attrs.get("next_action") or {}).get("redirect") or {}).get("url")
        return Authorization("requires_action", intent["id"], amount, currency, redirect)
    failure = attrs.get("last_payment_error")
    if status == "awaiting_payment_method" and failure:
        error = errors.failed_payment(failure["failed_code"], failure.get("failed_message") or "")
        raise ProviderFailure(error, intent["id"])
    if status == "processing":
        message = "PayMongo is still processing the payment"
        raise ProviderFailure(no_answer(timed_out=False, message=message), intent["id"])
    raise malformed(f"unexpected payment intent status {status}", intent["id"])


def _paid(attrs: Json) -> list[Json]:
    return [p for p in attrs.get("payments") or [] if p["attributes"]["status"] == "paid"]


def _invalid(message: str, reference: str | None = None) -> ProviderFailure:
    return ProviderFailure(errors.api_error(400, "parameter_invalid", message), reference)
