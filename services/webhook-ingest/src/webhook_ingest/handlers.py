"""Taking one webhook request: verify, normalize, and store it (deduped) with its event."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Protocol

import structlog

from payroute_common.envelope import Envelope
from payroute_common.messages import ProviderWebhookReceived
from payroute_common.tracing import current_trace_headers, rejoin_trace
from webhook_ingest.domain import (
    UNVERIFIED_BODY_BYTES,
    IncomingWebhook,
    Outcome,
    Status,
    claimed_identity,
    request_row,
)
from webhook_ingest.errors import InvalidPayloadError, InvalidSignatureError, StaleSignatureError
from webhook_ingest.group_commit import Entry
from webhook_ingest.providers import WebhookProvider

log = structlog.get_logger(__name__)

PRODUCER = "webhook-ingest"
# webhook-ingest owns no payments, so it cannot name the merchant; the orchestrator
# resolves the tenant from the payment it owns (found by payment_id or reference).
# Merchant-supplied metadata is not trusted for it.
UNKNOWN_TENANT = "unknown"

NO_VALID_SIGNATURE = "No valid signature found for this payload."
INVALID_SIGNATURE = Outcome("rejected", "invalid_signature", NO_VALID_SIGNATURE, "bad_signature")
# Answered the same as a bad one: the answer does not help a replay find the window.
STALE_SIGNATURE = Outcome("rejected", "invalid_signature", NO_VALID_SIGNATURE, "stale_signature")


class Journal(Protocol):
    """Durable storage of requests: `write` returns once the entry is committed."""

    async def write(self, entry: Entry) -> Status: ...


async def reject(
    webhook: IncomingWebhook,
    error: str,
    *,
    journal: Journal,
    verified: bool = False,
    provider: WebhookProvider | None = None,
    body_max: int = UNVERIFIED_BODY_BYTES,
) -> None:
    """Store a request that will not be acted on (bad signature, too large, not allowed,
    unknown provider); an unverified body only up to `body_max` bytes."""
    event_id, event_type = _claimed(webhook, provider)
    row = request_row(
        webhook,
        status="rejected",
        verified=verified,
        event_id=event_id,
        event_type=event_type,
        error=error,
        unverified_body_max=body_max,
    )
    await journal.write(Entry(row))
    log.warning("webhook_rejected", provider=webhook.provider, error=error[:200])


def _claimed(
    webhook: IncomingWebhook, provider: WebhookProvider | None
) -> tuple[str | None, str | None]:
    """The event id and type an unverified body claims, read the provider's way
    where it can be (PayMongo's id is `data.id`); for the audit log only."""
    if provider is not None:
        try:
            message = provider.parse(webhook.body, webhook.received_at)
        except InvalidPayloadError:
            pass
        else:
            return message.provider_event_id, message.provider_event_type
    return claimed_identity(webhook.body)


def _event(message: ProviderWebhookReceived) -> tuple[str, Envelope]:
    key = message.payment_id or message.provider_reference
    envelope = Envelope.wrap(message, producer=PRODUCER, tenant_id=UNKNOWN_TENANT, aggregate_id=key)
    return key, envelope


async def receive(
    webhook: IncomingWebhook,
    *,
    provider: WebhookProvider,
    journal: Journal,
    body_max: int = UNVERIFIED_BODY_BYTES,
) -> Outcome:
    try:
        provider.verify(webhook.body, webhook.headers)
    except InvalidSignatureError as error:
        error_text = f"invalid signature: {error}"
        await reject(webhook, error_text, journal=journal, provider=provider, body_max=body_max)
        return STALE_SIGNATURE if isinstance(error, StaleSignatureError) else INVALID_SIGNATURE
    try:
        message, traceparent = provider.parse_traced(webhook.body, webhook.received_at)
    except InvalidPayloadError as error:
        await reject(webhook, f"invalid payload: {error}", journal=journal, verified=True)
        unreadable = f"Unreadable event: {error}"
        return Outcome("rejected", "invalid_payload", unreadable, "invalid_payload")
    row = request_row(
        webhook,
        status="accepted",
        verified=True,
        event_id=message.provider_event_id,
        event_type=message.provider_event_type,
    )
    with in_payment_trace(traceparent, webhook.provider):
        # The writer publishes from its own task: the trace travels explicitly.
        status = await journal.write(Entry(row, _event(message), current_trace_headers()))
        # Debug, not info: every request is a row in the audit log and a count in the
        # metrics already, and a line per request costs a fifth of its CPU time at volume.
        log.debug(
            "webhook_received",
            provider=webhook.provider,
            provider_event_id=message.provider_event_id,
            status=status,
        )
    return Outcome(status)


@contextlib.contextmanager
def in_payment_trace(traceparent: str | None, provider: str) -> Iterator[None]:
    """Inside the payment's trace, which the provider echoed (`metadata.traceparent`),
    linked to the request's own: the event published travels in the payment's trace.
    Without one (objects Payroute did not create, or sent before), the request's
    trace as it is, at no cost."""
    if traceparent is None:
        yield
        return
    with rejoin_trace(traceparent, f"{provider} webhook"):
        yield
