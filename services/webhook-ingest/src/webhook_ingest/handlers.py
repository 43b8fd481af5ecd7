"""Taking one webhook request: verify, store, dedupe, and stage the normalized event."""

from __future__ import annotations

import structlog

from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderWebhookReceived
from payroute_common.topics import PROVIDER_WEBHOOKS
from webhook_ingest.domain import IncomingWebhook, Outcome, claimed_identity, request_row
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError
from webhook_ingest.providers import WebhookProvider
from webhook_ingest.store import HandlerUnitOfWork

log = structlog.get_logger(__name__)

PRODUCER = "webhook-ingest"
# webhook-ingest owns no payments, so it cannot name the merchant; the orchestrator
# resolves the tenant from the payment it owns (found by payment_id or reference).
# Merchant-supplied metadata is not trusted for it.
UNKNOWN_TENANT = "unknown"

INVALID_SIGNATURE = Outcome(
    "rejected", "invalid_signature", "No valid signature found for this payload."
)


async def reject(
    webhook: IncomingWebhook,
    error: str,
    *,
    uow: HandlerUnitOfWork,
    verified: bool = False,
    keep_body: bool = True,
) -> None:
    """Store a request that will not be acted on (bad signature, too large, unreadable)."""
    event_id, event_type = claimed_identity(webhook.body) if keep_body else (None, None)
    row = request_row(
        webhook,
        status="rejected",
        verified=verified,
        event_id=event_id,
        event_type=event_type,
        error=error,
        keep_body=keep_body,
    )
    async with uow:
        await uow.requests.add(row)
        await uow.commit()
    log.warning("webhook_rejected", provider=webhook.provider, error=error[:200])


def _envelope(message: ProviderWebhookReceived) -> tuple[str, Envelope]:
    key = message.payment_id or message.provider_reference
    envelope = Envelope.wrap(message, producer=PRODUCER, tenant_id=UNKNOWN_TENANT, aggregate_id=key)
    return key, envelope


async def receive(
    webhook: IncomingWebhook, *, provider: WebhookProvider, uow: HandlerUnitOfWork
) -> Outcome:
    try:
        provider.verify(webhook.body, webhook.headers)
    except InvalidSignatureError as error:
        await reject(webhook, f"invalid signature: {error}", uow=uow)
        return INVALID_SIGNATURE
    try:
        message = provider.parse(webhook.body, webhook.received_at)
    except InvalidPayloadError as error:
        await reject(webhook, f"invalid payload: {error}", uow=uow, verified=True)
        return Outcome("rejected", "invalid_payload", f"Unreadable event: {error}")
    row = request_row(
        webhook,
        status="accepted",
        verified=True,
        event_id=message.provider_event_id,
        event_type=message.provider_event_type,
    )
    async with uow:
        if await uow.requests.add_accepted(row):
            uow.publish(PROVIDER_WEBHOOKS, *_envelope(message))
            outcome = Outcome("accepted")
        else:
            await uow.requests.add({**row, "status": "duplicate"})
            outcome = Outcome("duplicate")
        await uow.commit()
    log.info(
        "webhook_received",
        provider=webhook.provider,
        provider_event_id=message.provider_event_id,
        status=outcome.status,
    )
    return outcome
