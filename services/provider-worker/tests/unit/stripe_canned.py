"""A Stripe HTTP client for the SDK that answers every request with one canned answer:
answers the simulator does not give (429, 409 in progress, a refund failed at once)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import stripe

from provider_worker.adapters.stripe import StripeAdapter


class CannedStripe(stripe.HTTPClient):
    name = "canned"

    def __init__(self, status: int, body: str | dict[str, Any]) -> None:
        super().__init__()
        self.status = status
        self.body = body if isinstance(body, str) else json.dumps(body)

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        return self.body.encode(), self.status, {"request-id": "req_canned"}

    async def close_async(self) -> None:
        return None


def canned(status: int, body: str | dict[str, Any]) -> StripeAdapter:
    return StripeAdapter(
        "sk_test_canned", "http://stripe.invalid", 5, http_client=CannedStripe(status, body)
    )


def stripe_error(code: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"type": kind, "code": code, "message": f"{code} (canned)"}}


def refund_object(status: str, failure_reason: str | None = None) -> dict[str, Any]:
    refund = {
        "id": "re_canned",
        "object": "refund",
        "amount": 700,
        "currency": "php",
        "status": status,
        "payment_intent": "pi_1",
    }
    if failure_reason:
        refund["failure_reason"] = failure_reason
    return refund
