"""Events on topic `provider.webhooks` (webhook-ingest → orchestrator)."""

from datetime import datetime
from typing import Literal

from payroute_common.envelope import Message
from payroute_common.money import CurrencyCode, MinorUnits

WebhookSubject = Literal["payment", "refund", "verification", "dispute", "payout"]
WebhookOutcome = Literal[
    "succeeded", "authorized", "failed", "canceled", "refunded", "opened", "closed", "other"
]


class ProviderWebhookReceived(Message):
    """A verified provider webhook, normalized; the raw one stays in webhook-ingest.

    `provider_reference` is what routes it to a payment when `payment_id` is unknown:
    the provider's id of the payment (or of one of its attempts or refunds). For a
    dispute it is the disputed payment's reference and `dispute_id` the dispute's own
    id; `dispute_status` is the provider's status of the dispute and `reason` its
    reason (or why a refund failed). Refund news names Payroute's refund by
    `refund_id` when the provider echoes it, and news about refunds of a whole charge
    tells the total refunded on it so far (`amount_refunded`).
    """

    event_type = "ProviderWebhookReceived"

    provider: str
    provider_event_id: str
    provider_event_type: str
    subject: WebhookSubject
    outcome: WebhookOutcome
    provider_reference: str
    payment_id: str | None
    amount: MinorUnits | None
    currency: CurrencyCode | None
    received_at: datetime
    dispute_id: str | None = None
    dispute_status: str | None = None
    reason: str | None = None
    refund_id: str | None = None
    amount_refunded: MinorUnits | None = None
