"""Providers whose webhooks Payroute takes: each verifies its own scheme and normalizes.

One module per provider holds its scheme (`verify`) and its event mapping
(`parse`); `build_providers` lists those configured.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from payroute_common.messages import ProviderWebhookReceived
from webhook_ingest.config import Settings
from webhook_ingest.providers.stripe import StripeProvider


class WebhookProvider(Protocol):
    name: str

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise InvalidSignatureError unless `body` carries the provider's valid signature."""

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        """Normalize a verified body; raise InvalidPayloadError if unreadable."""


def build_providers(settings: Settings) -> dict[str, WebhookProvider]:
    providers: list[WebhookProvider] = [
        StripeProvider(settings.stripe_webhook_secret.get_secret_value()),
    ]
    return {provider.name: provider for provider in providers}
