"""What PayMongo says an attempt's payment is now, for `get_status`. Pure but for the
page fetcher it is given.

Finding an attempt whose intent id never came back: PayMongo has no search by
metadata, so `find_attempt` pages through List all Payments
(https://developers.paymongo.com/reference/list-all-payments, newest first,
`limit` ≤ 100, `before` = the last id seen) for `metadata.attempt_id`. Only a
charge that was tried leaves a payment there (paid or failed); when the whole
list holds none, the attempt took no money: its intent was never created, never
attached, or still waits for the customer (whose later confirmation arrives as
a `payment.paid` webhook) or for a capture that never comes. A list longer than
MAX_PAGES pages is not searched to its end: the answer is then unknown.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from payroute_common.messages import ProviderError
from provider_worker.adapters import paymongo_errors as errors
from provider_worker.adapters.base import ProviderFailure, ProviderStatus

Json = dict[str, Any]
PageFetcher = Callable[[dict[str, str | int]], Awaitable[Json]]
PAGE_SIZE = 100
MAX_PAGES = 20


async def find_attempt(fetch_page: PageFetcher, attempt_id: str) -> str | None:
    """The id of the payment intent that charged for `attempt_id`, or None if none did."""
    params: dict[str, str | int] = {"limit": PAGE_SIZE}
    for _ in range(MAX_PAGES):
        page = await fetch_page(params)
        payments = page.get("data") or []
        for payment in payments:
            attrs = payment["attributes"]
            if (attrs.get("metadata") or {}).get("attempt_id") == attempt_id:
                return str(attrs["payment_intent_id"])
        if not page.get("has_more") or not payments:
            return None
        params = {"limit": PAGE_SIZE, "before": payments[-1]["id"]}
    error = ProviderError(
        category="timeout",
        code="status_unknown",
        message=f"no payment for the attempt in PayMongo's latest {MAX_PAGES * PAGE_SIZE}",
    )
    raise ProviderFailure(error)


def status_of(intent: Json) -> ProviderStatus | None:
    """The normalized state of one payment intent; None when it never charged anything."""
    attrs = intent["attributes"]
    status, reference = attrs["status"], intent["id"]
    amount, currency = attrs["amount"], attrs["currency"]
    paid = [p["attributes"] for p in attrs.get("payments") or [] if _is_paid(p)]
    if status == "succeeded":
        captured = sum(p["amount"] for p in paid)
        refunded = sum(
            r["attributes"]["amount"]
            for p in paid
            for r in p.get("refunds") or []
            if r["attributes"]["status"] != "failed"
        )
        return ProviderStatus("captured", reference, captured, currency, refunded)
    if status == "awaiting_capture":
        return ProviderStatus("authorized", reference, amount, currency)
    if status == "awaiting_next_action":
        return ProviderStatus("requires_action", reference, amount, currency)
    if status == "processing":
        return ProviderStatus("pending", reference, amount, currency)
    if status == "cancelled":
        return ProviderStatus("canceled", reference, amount, currency)
    failure = attrs.get("last_payment_error")
    if failure:
        error = errors.failed_payment(failure["failed_code"], failure.get("failed_message") or "")
        return ProviderStatus("failed", reference, amount, currency, error=error)
    return None


def _is_paid(payment: Json) -> bool:
    return bool(payment["attributes"]["status"] == "paid")
