"""Maya adapter over Maya Checkout: the Maya wallet and cards on Maya's hosted page.

API (field names and statuses as Maya documents them,
https://developers.maya.ph/reference/accept-one-time-payment-using-maya-checkout):
- authorize: `POST /checkout/v1/checkouts` with the PUBLIC key: `totalAmount
  {value, currency}` in major units, `requestReferenceNumber` (the attempt id),
  `redirectUrl {success, failure, cancel}`, `metadata` → `{checkoutId, redirectUrl}`.
  The metadata (the command's, with `payment_id`, `attempt_id` and the payment's
  `traceparent`) comes back in Maya's webhooks.
  The customer always finishes on Maya's page, so the answer is `requires_action`
  and the payment completes by webhook. The checkout id is the payment's id.
- get_status: `GET /payments/v1/payments/{id}`, or
  `GET /payments/v1/payment-rrns/{requestReferenceNumber}` when the id never came
  back (https://developers.maya.ph/reference/get_payment-rrns-rrn); refunds so far
  from `GET /payments/v1/payments/{id}/refunds`.
- void: `POST /payments/v1/payments/{id}/voids` (`reason`); refund:
  `POST /payments/v1/payments/{id}/refunds` (`totalAmount {amount, currency}`,
  `reason`, `requestReferenceNumber`)
  (https://developers.maya.ph/reference/managing-voids-and-refunds-in-maya-checkout).
- capture: Maya Checkout captures at once; refused without calling Maya.

Everything but checkout creation uses the SECRET key (HTTP Basic, key as user
name, empty password). Maya documents no idempotency key, so: a repeated
authorize creates a second checkout nobody was sent to yet (no money moves
until a customer pays on it); a repeated refund is found among the payment's
refunds by its `requestReferenceNumber` (the operation id) and not sent again;
a repeated void meets "already voided" and reads the payment instead.
"""

from __future__ import annotations

from typing import Any

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
from provider_worker.adapters.maya_errors import (
    ALREADY_VOIDED,
    PAYMENT_NOT_FOUND,
    api_error,
    payment_failure,
)
from provider_worker.adapters.transport import json_answer, send

METHODS = frozenset({"maya", "card"})
STATUSES: dict[str, StatusOutcome] = {
    "PAYMENT_SUCCESS": "captured",
    "REFUNDED": "captured",
    "AUTHORIZED": "authorized",
    "PENDING_TOKEN": "requires_action",
    "FOR_AUTHENTICATION": "requires_action",
    "AUTHENTICATING": "requires_action",
    "PENDING_PAYMENT": "pending",
    "AUTH_SUCCESS": "pending",
    "PAYMENT_IN_PROGRESS": "pending",
    "PAYMENT_FAILED": "failed",
    "AUTH_FAILED": "failed",
    "PAYMENT_EXPIRED": "failed",
    "PAYMENT_CANCELLED": "canceled",
    "VOIDED": "canceled",
}
FAILED_REFUND_STATUSES = frozenset({"FAILED", "REJECTED"})
NAME = "Maya"


class MayaAdapter:
    name = "maya"

    def __init__(
        self,
        public_key: str,
        secret_key: str,
        api_base: str,
        timeout_s: float,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._public = httpx.BasicAuth(public_key, "")
        self._secret = httpx.BasicAuth(secret_key, "")
        self._http = httpx.AsyncClient(base_url=api_base, timeout=timeout_s, transport=transport)

    @unreadable_answers_are_malformed(NAME)
    async def authorize(self, command: AuthorizePayment) -> Authorization:
        if command.payment_method.type not in METHODS:
            raise unsupported(
                "payment_method_not_supported",
                f"Maya Checkout does not take {command.payment_method.type}",
            )
        body: dict[str, Any] = {
            "totalAmount": {
                "value": to_major(command.amount, command.currency),
                "currency": command.currency,
            },
            "requestReferenceNumber": command.attempt_id,
            "metadata": {
                **command.metadata,
                "payment_id": command.payment_id,
                "attempt_id": command.attempt_id,
            },
        }
        if command.return_url:
            body["redirectUrl"] = {
                outcome: _with_query(command.return_url, f"status={outcome}")
                for outcome in ("success", "failure", "cancel")
            }
        checkout = await self._send("POST", "/checkout/v1/checkouts", self._public, body)
        return Authorization(
            outcome="requires_action",
            provider_reference=str(checkout["checkoutId"]),
            amount=command.amount,
            currency=command.currency,
            redirect_url=str(checkout["redirectUrl"]),
        )

    async def capture(self, command: CaptureAuthorization) -> OperationResult:
        raise unsupported("manual_capture_not_supported", "Maya Checkout captures at once")

    @unreadable_answers_are_malformed(NAME)
    async def void(self, command: VoidAuthorization) -> OperationResult:
        path = f"/payments/v1/payments/{command.provider_reference}"
        try:
            await self._send("POST", f"{path}/voids", self._secret, {"reason": "Canceled"})
        except ProviderFailure as failure:
            if failure.error.code != ALREADY_VOIDED:
                raise
        payment = await self._send("GET", path, self._secret)
        if payment.get("status") != "VOIDED":
            raise malformed(
                f"Maya payment is {payment.get('status')} after void", command.provider_reference
            )
        currency = str(payment["currency"])
        return OperationResult(
            command.provider_reference, to_minor(payment["amount"], currency), currency
        )

    @unreadable_answers_are_malformed(NAME)
    async def refund(self, command: RefundCharge) -> OperationResult:
        path = f"/payments/v1/payments/{command.provider_reference}/refunds"
        refund = await self._refund_sent(path, command.operation_id)
        if refund is None:
            body = {
                "totalAmount": {
                    "amount": to_major(command.amount, command.currency),
                    "currency": command.currency,
                },
                "reason": command.reason or "Refund",
                "requestReferenceNumber": command.operation_id,
            }
            refund = await self._send("POST", path, self._secret, body)
        reference, status = str(refund["id"]), str(refund.get("status"))
        if status in FAILED_REFUND_STATUSES:
            raise refund_failed(NAME, status, None, reference)
        total = refund["totalAmount"]
        currency = str(total["currency"])
        return OperationResult(reference, to_minor(total["amount"], currency), currency)

    @unreadable_answers_are_malformed(NAME)
    async def get_status(
        self, payment_id: str, attempt_id: str, provider_reference: str | None
    ) -> ProviderStatus | None:
        payment = await self._find(attempt_id, provider_reference)
        if payment is None:
            return None
        reference, status = str(payment["id"]), str(payment.get("status"))
        outcome = STATUSES.get(status)
        if outcome is None:
            raise malformed(f"unexpected Maya payment status {status}", reference)
        currency = str(payment["currency"])
        refunded = 0
        if outcome == "captured":
            refunds = await self._refunds(f"/payments/v1/payments/{reference}/refunds")
            refunded = sum(
                to_minor(r["totalAmount"]["amount"], currency)
                for r in refunds
                if str(r.get("status")) not in FAILED_REFUND_STATUSES
            )
        return ProviderStatus(
            outcome=outcome,
            provider_reference=reference,
            amount=to_minor(payment["amount"], currency),
            currency=currency,
            amount_refunded=refunded,
            error=payment_failure(status) if outcome == "failed" else None,
        )

    @unreadable_answers_are_malformed(NAME)
    async def health_check(self) -> None:
        """Payments by a request reference number no attempt uses: none found
        (https://developers.maya.ph/reference/get_payment-rrns-rrn)."""
        await self._find("payroute_health_check", None)

    async def close(self) -> None:
        await self._http.aclose()

    async def _find(self, attempt_id: str, reference: str | None) -> dict[str, Any] | None:
        try:
            if reference is not None:
                found = await self._send("GET", f"/payments/v1/payments/{reference}", self._secret)
                return found if isinstance(found, dict) else None
            payments = await self._send(
                "GET", f"/payments/v1/payment-rrns/{attempt_id}", self._secret
            )
        except ProviderFailure as failure:
            if failure.error.code in PAYMENT_NOT_FOUND:
                return None
            raise
        if not isinstance(payments, list) or not payments:
            return None
        # Several checkouts may carry one attempt id (see the module docstring);
        # the one that took money, if any, is the truth.
        paid = [p for p in payments if STATUSES.get(str(p.get("status"))) == "captured"]
        return dict((paid or payments)[-1])

    async def _refund_sent(self, path: str, operation_id: str) -> dict[str, Any] | None:
        refunds = await self._refunds(path)
        return next((r for r in refunds if r.get("requestReferenceNumber") == operation_id), None)

    async def _refunds(self, path: str) -> list[dict[str, Any]]:
        refunds = await self._send("GET", path, self._secret)
        return [r for r in refunds if isinstance(r, dict)] if isinstance(refunds, list) else []

    async def _send(
        self, method: str, path: str, auth: httpx.Auth, body: dict[str, Any] | None = None
    ) -> Any:
        response = await send(self._http, method, path, refusal=api_error, json=body, auth=auth)
        return json_answer(response, NAME)


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"
