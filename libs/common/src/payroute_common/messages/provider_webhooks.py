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
    """A verified provider webhook, normalized; the raw one stays in webhook-ingest."""

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
