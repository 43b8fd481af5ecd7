"""Providers whose webhooks Payroute takes: each verifies its own scheme and normalizes.

One module per provider holds its scheme (`verify`) and its event mapping
(`parse`); `build_providers` lists those configured. `parse_traced` also reads the
payment's trace that the provider echoes in its object's metadata (`traceparent`,
sent with each authorization), so that the webhook can rejoin that trace.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from payroute_common.messages import ProviderWebhookReceived
from webhook_ingest.config import Settings
from webhook_ingest.providers.fields import Traced
from webhook_ingest.providers.maya import MayaProvider
from webhook_ingest.providers.paymongo import PaymongoProvider
from webhook_ingest.providers.stripe import StripeProvider
from webhook_ingest.providers.xendit import XenditProvider


class WebhookProvider(Protocol):
    name: str

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise InvalidSignatureError unless `body` carries the provider's valid signature."""

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        """Normalize a verified body; raise InvalidPayloadError if unreadable."""

    def parse_traced(self, body: bytes, received_at: datetime) -> Traced:
        """`parse`, and the payment's trace the body echoes (`metadata.traceparent` of
        its object), read from the same decoding."""


def build_providers(settings: Settings) -> dict[str, WebhookProvider]:
    providers: list[WebhookProvider] = [
        StripeProvider(settings.stripe_webhook_secret.get_secret_value()),
    ]
    if settings.paymongo_webhook_secret is not None:
        secret = settings.paymongo_webhook_secret.get_secret_value()
        providers.append(PaymongoProvider(secret))
    if settings.xendit_callback_token is not None:
        providers.append(XenditProvider(settings.xendit_callback_token.get_secret_value()))
    if settings.maya_webhooks:
        providers.append(MayaProvider())
    return {provider.name: provider for provider in providers}
