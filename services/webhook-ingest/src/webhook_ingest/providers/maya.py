"""Maya webhooks: unsigned; bodies normalized into `ProviderWebhookReceived` (pure).

Maya Checkout posts the payment object itself as JSON, with no signature or token
header (https://developers.maya.ph/docs/webhooks): nothing in the request proves
it came from Maya. Its protection is outside this module: the per-provider IP
allowlist webhook-ingest enforces (`WEBHOOK_INGEST_ALLOWED_SOURCES` with Maya's
published addresses), which the settings require before Maya webhooks are taken
(`WEBHOOK_INGEST_MAYA_WEBHOOKS`). `verify` therefore checks only what a body can
show without a secret: that it reads as a Maya payment. Payroute also never trusts
a webhook beyond moving a payment forward; status polling asks Maya itself.

Body: `{"id", "status", "amount", "currency", "requestReferenceNumber",
"metadata", ...}`. `id` is the checkout id, the adapter's reference for the
attempt; `metadata.payment_id` names Payroute's payment; amounts are in pesos.
There is no event id: `<id>:<status>` stands for it (one notification per status
change of a payment).
"""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from payroute_common.messages import ProviderWebhookReceived
from payroute_common.messages.provider_webhooks import WebhookOutcome, WebhookSubject
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError
from webhook_ingest.providers.fields import (
    Traced,
    decoded,
    major_unit_money,
    payment_id,
    text,
    traceparent,
)

PROVIDER = "maya"

STATUSES: dict[str, tuple[WebhookSubject, WebhookOutcome]] = {
    "PAYMENT_SUCCESS": ("payment", "succeeded"),
    "AUTHORIZED": ("payment", "authorized"),
    "PAYMENT_FAILED": ("payment", "failed"),
    "AUTH_FAILED": ("payment", "failed"),
    "PAYMENT_EXPIRED": ("payment", "failed"),
    "PAYMENT_CANCELLED": ("payment", "canceled"),
    "VOIDED": ("payment", "canceled"),
    "REFUNDED": ("refund", "refunded"),
}


def normalize(payment: Any, received_at: datetime) -> ProviderWebhookReceived:
    """The Payroute view of one Maya payment notification (already JSON-decoded)."""
    if not isinstance(payment, Mapping):
        raise InvalidPayloadError("the body is not a JSON object")
    payment_ref = text(payment.get("id"), "id")
    status = text(payment.get("status"), "status")
    subject, outcome = STATUSES.get(status, ("payment", "other"))
    amount, currency = major_unit_money(payment)
    try:
        return ProviderWebhookReceived(
            provider=PROVIDER,
            provider_event_id=f"{payment_ref}:{status}",
            provider_event_type=status,
            subject=subject,
            outcome=outcome,
            provider_reference=payment_ref,
            payment_id=payment_id(payment),
            amount=amount,
            currency=currency,
            received_at=received_at,
        )
    except ValidationError as error:
        raise InvalidPayloadError(f"unreadable webhook: {error.errors()[0]['msg']}") from error


class MayaProvider:
    """No signature to check: see the module docstring for what protects this route."""

    name = PROVIDER

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        try:
            payment = json.loads(body)
        except ValueError:
            raise InvalidSignatureError("not a Maya notification: the body is not JSON") from None
        if not isinstance(payment, dict) or not {"id", "status"} <= payment.keys():
            raise InvalidSignatureError("not a Maya notification: no payment id and status")

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        return normalize(decoded(body), received_at)

    def parse_traced(self, body: bytes, received_at: datetime) -> Traced:
        payment = decoded(body)
        return normalize(payment, received_at), traceparent(payment)
