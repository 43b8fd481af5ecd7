"""Providers whose webhooks Payroute takes: each verifies its own scheme and normalizes.

Adding PayMongo or Xendit means one more class with `verify` and `parse`, and
one more entry in `build_providers`.
"""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

import stripe

from payroute_common.messages import ProviderWebhookReceived
from webhook_ingest import stripe_events
from webhook_ingest.config import Settings

STRIPE_TOLERANCE_S = 300


class InvalidSignatureError(ValueError):
    """The request is not proven to come from the provider (bad, stale or missing signature)."""


class WebhookProvider(Protocol):
    name: str

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise InvalidSignatureError unless `body` carries the provider's valid signature."""

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        """Normalize a verified body; raise stripe_events.InvalidPayloadError if unreadable."""


class StripeProvider:
    """`Stripe-Signature`: HMAC-SHA256 over `t.body`, checked by the official SDK."""

    name = stripe_events.PROVIDER

    def __init__(self, secret: str, *, tolerance_s: int = STRIPE_TOLERANCE_S) -> None:
        self._secret = secret
        self._tolerance_s = tolerance_s

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        try:
            stripe.WebhookSignature.verify_header(
                body, headers.get("stripe-signature"), self._secret, tolerance=self._tolerance_s
            )
        except stripe.SignatureVerificationError as error:
            raise InvalidSignatureError(str(error)) from None
        except UnicodeDecodeError:
            raise InvalidSignatureError("the body is not UTF-8") from None

    def parse(self, body: bytes, received_at: datetime) -> ProviderWebhookReceived:
        try:
            event = json.loads(body)
        except ValueError as error:
            raise stripe_events.InvalidPayloadError(f"the body is not JSON: {error}") from None
        return stripe_events.normalize(event, received_at)


def build_providers(settings: Settings) -> dict[str, WebhookProvider]:
    stripe_provider = StripeProvider(settings.stripe_webhook_secret.get_secret_value())
    return {stripe_provider.name: stripe_provider}
