"""Commands and events exchanged over Kafka, one module per topic."""

from payroute_common.messages.payment_commands import CreatePayment
from payroute_common.messages.payment_events import (
    PaymentCaptured,
    PaymentCreated,
    PaymentEvent,
    PaymentFailed,
)
from payroute_common.messages.provider_commands import AuthorizePayment
from payroute_common.messages.provider_results import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
)
from payroute_common.messages.provider_webhooks import ProviderWebhookReceived
from payroute_common.messages.registry import MESSAGE_TYPES, decode_payload
from payroute_common.messages.values import (
    PaymentFailure,
    PaymentMethod,
    PaymentSnapshot,
    ProviderError,
)

__all__ = [
    "MESSAGE_TYPES",
    "AuthorizePayment",
    "CreatePayment",
    "PaymentCaptured",
    "PaymentCreated",
    "PaymentEvent",
    "PaymentFailed",
    "PaymentFailure",
    "PaymentMethod",
    "PaymentSnapshot",
    "ProviderAttemptFailed",
    "ProviderAttemptSucceeded",
    "ProviderError",
    "ProviderWebhookReceived",
    "decode_payload",
]
