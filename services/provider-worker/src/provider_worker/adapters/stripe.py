"""Stripe adapter over the official SDK: PaymentIntents, their capture and cancel, refunds.

API (field names as Stripe documents them):
- authorize: https://docs.stripe.com/api/payment_intents/create, created and confirmed
  at once (`confirm=true`); `capture_method=manual` stops at `requires_capture`;
  cards needing 3-D Secure stop at `requires_action` with
  `next_action.redirect_to_url.url` when a `return_url` was sent.
- capture: https://docs.stripe.com/api/payment_intents/capture (`amount_to_capture`;
  the rest of the authorization is released).
- void: https://docs.stripe.com/api/payment_intents/cancel.
- refund: https://docs.stripe.com/api/refunds/create (`payment_intent`, `amount`,
  `reason`, `metadata`).
- get_status: https://docs.stripe.com/api/payment_intents/retrieve with the reference;
  without one, https://docs.stripe.com/api/payment_intents/search by the
  `metadata[attempt_id]` and `metadata[payment_id]` sent on create. Stripe documents that
  search lags writes (usually under a minute): a search that finds nothing right after an
  unanswered create is not yet proof that no money moved. `latest_charge` is expanded
  for `amount_refunded` (stripe_status.py maps the statuses).

The attempt id (authorize) or operation id (capture, void, refund) is the
`Idempotency-Key` (https://docs.stripe.com/api/idempotent_requests), so a command
delivered twice never moves money twice; parameters are built from the command
alone, so a re-send is the same request and Stripe replays its stored answer (the
PaymentIntent or Refund, read like a first answer). Stripe stores a 500 too, so
after one a re-send may get the same 500: the status query settles it.
`metadata[payment_id]` ties Stripe's
objects (and their webhooks) back to Payroute's payment; `metadata[attempt_id]` finds the
intent of an attempt whose create went unanswered. `metadata[traceparent]`, the payment's
trace, comes in the command's metadata (never from the worker's own span, which differs
on a re-send) and comes back in webhooks, which so rejoin the payment's trace.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import stripe
from stripe.params import PaymentIntentCreateParams, RefundCreateParams

from payroute_common.messages import (
    AuthorizePayment,
    CaptureAuthorization,
    RefundCharge,
    VoidAuthorization,
)
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
from provider_worker.adapters.stripe_errors import normalize
from provider_worker.adapters.stripe_status import most_advanced, search_query, status_of

OUTCOMES = {
    "succeeded": "captured",
    "requires_capture": "authorized",
    "requires_action": "requires_action",
}
T = TypeVar("T")

# https://docs.stripe.com/api/refunds/create#create_refund-reason
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
# https://docs.stripe.com/api/refunds/object#refund_object-status: `pending` and
# `requires_action` settle later (charge.refund.updated webhooks); `failed` and
# `canceled` gave nothing back (`failure_reason` says why).
PENDING_REFUND_STATUSES = frozenset({"pending", "requires_action"})
FAILED_REFUND_STATUSES = frozenset({"failed", "canceled"})
NAME = "Stripe"


class StripeAdapter:
    name = "stripe"

    def __init__(
        self,
        api_key: str,
        api_base: str,
        timeout_s: float,
        *,
        http_client: stripe.HTTPClient | None = None,
    ) -> None:
        # The SDK's aiohttp transport costs about 40% less CPU per call than its httpx one.
        self._http = http_client or stripe.AIOHTTPClient(timeout=timeout_s)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base},
            http_client=self._http,
            max_network_retries=0,
        )

    @unreadable_answers_are_malformed(NAME)
    async def authorize(self, command: AuthorizePayment) -> Authorization:
        params: PaymentIntentCreateParams = {
            "amount": command.amount,
            "currency": command.currency.lower(),
            "payment_method": command.payment_method.token or "",
            "confirm": True,
            "capture_method": command.capture_method,
            "metadata": {
                **command.metadata,
                "payment_id": command.payment_id,
                "attempt_id": command.attempt_id,
            },
        }
        if command.description:
            params["description"] = command.description
        if command.return_url:
            params["return_url"] = command.return_url
        intent = await _call(
            self._client.v1.payment_intents.create_async(
                params=params, options={"idempotency_key": command.attempt_id}
            )
        )
        outcome = OUTCOMES.get(intent.status)
        if outcome is None:
            raise malformed(f"unexpected PaymentIntent status {intent.status}", intent.id)
        redirect = None
        # Without a return_url Stripe sends `use_stripe_sdk` and no `redirect_to_url` key.
        to_url = getattr(intent.next_action, "redirect_to_url", None)
        if to_url is not None:
            redirect = to_url.url
        return Authorization(
            outcome=outcome,  # type: ignore[arg-type]
            provider_reference=intent.id,
            amount=intent.amount_received or intent.amount,
            currency=intent.currency.upper(),
            redirect_url=redirect,
        )

    @unreadable_answers_are_malformed(NAME)
    async def capture(self, command: CaptureAuthorization) -> OperationResult:
        intent = await _call(
            self._client.v1.payment_intents.capture_async(
                command.provider_reference,
                params={"amount_to_capture": command.amount},
                options={"idempotency_key": command.operation_id},
            )
        )
        if intent.status != "succeeded":
            raise malformed(f"PaymentIntent is {intent.status} after capture", intent.id)
        return OperationResult(intent.id, intent.amount_received, intent.currency.upper())

    @unreadable_answers_are_malformed(NAME)
    async def void(self, command: VoidAuthorization) -> OperationResult:
        intent = await _call(
            self._client.v1.payment_intents.cancel_async(
                command.provider_reference, options={"idempotency_key": command.operation_id}
            )
        )
        if intent.status != "canceled":
            raise malformed(f"PaymentIntent is {intent.status} after cancel", intent.id)
        return OperationResult(intent.id, intent.amount, intent.currency.upper())

    @unreadable_answers_are_malformed(NAME)
    async def refund(self, command: RefundCharge) -> OperationResult:
        params: RefundCreateParams = {
            "payment_intent": command.provider_reference,
            "amount": command.amount,
            "metadata": {
                **command.metadata,
                "payment_id": command.payment_id,
                "refund_id": command.operation_id,
            },
        }
        if command.reason in REFUND_REASONS:
            params["reason"] = command.reason
        refund = await _call(
            self._client.v1.refunds.create_async(
                params=params, options={"idempotency_key": command.operation_id}
            )
        )
        status = refund.status
        if status in FAILED_REFUND_STATUSES:
            reason = getattr(refund, "failure_reason", None)  # absent from some answers
            raise refund_failed(NAME, status, reason, refund.id)
        if status == "succeeded":
            return OperationResult(refund.id, refund.amount, refund.currency.upper())
        if status not in PENDING_REFUND_STATUSES:
            raise malformed(f"unexpected Refund status {status}", refund.id)
        return OperationResult(refund.id, refund.amount, refund.currency.upper(), "pending")

    @unreadable_answers_are_malformed(NAME)
    async def get_status(
        self, payment_id: str, attempt_id: str, provider_reference: str | None
    ) -> ProviderStatus | None:
        if provider_reference is None:
            found = await _call(
                self._client.v1.payment_intents.search_async(
                    params={
                        "query": search_query(payment_id, attempt_id),
                        "expand": ["data.latest_charge"],
                    }
                )
            )
            intent = most_advanced(found.data)
        else:
            intent = await self._retrieve(provider_reference)
        return None if intent is None else status_of(intent)

    async def _retrieve(self, reference: str) -> stripe.PaymentIntent | None:
        try:
            return await _call(
                self._client.v1.payment_intents.retrieve_async(
                    reference, params={"expand": ["latest_charge"]}
                )
            )
        except ProviderFailure as failure:
            if failure.error.code == "resource_missing":
                return None
            raise

    @unreadable_answers_are_malformed(NAME)
    async def health_check(self) -> None:
        """GET /v1/balance (https://docs.stripe.com/api/balance/balance_retrieve)."""
        await _call(self._client.v1.balance.retrieve_async())

    async def close(self) -> None:
        await self._http.close_async()  # type: ignore[no-untyped-call]


async def _call(request: Awaitable[T]) -> T:
    """Await one SDK call; its StripeError becomes a ProviderFailure."""
    try:
        return await request
    except stripe.StripeError as error:
        body = error.json_body if isinstance(error.json_body, dict) else {}
        intent_in_error = body.get("error", {}).get("payment_intent") or {}
        raise ProviderFailure(normalize(error), intent_in_error.get("id")) from error
