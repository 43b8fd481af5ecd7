"""Every message type by name, and decoding of an envelope's payload."""

from payroute_common.envelope import Envelope, Message
from payroute_common.messages.payment_commands import CreatePayment
from payroute_common.messages.payment_events import PaymentCaptured, PaymentCreated, PaymentFailed
from payroute_common.messages.provider_commands import AuthorizePayment
from payroute_common.messages.provider_results import (
    ProviderAttemptFailed,
    ProviderAttemptSucceeded,
)
from payroute_common.messages.provider_webhooks import ProviderWebhookReceived

MESSAGE_TYPES: dict[str, type[Message]] = {
    cls.event_type: cls
    for cls in (
        CreatePayment,
        AuthorizePayment,
        ProviderAttemptSucceeded,
        ProviderAttemptFailed,
        ProviderWebhookReceived,
        PaymentCreated,
        PaymentCaptured,
        PaymentFailed,
    )
}


class UnknownMessageTypeError(ValueError):
    pass


class UnsupportedSchemaVersionError(ValueError):
    pass


def decode_payload(envelope: Envelope) -> Message:
    """The typed payload of `envelope`; raises ValueError on anything unknown or invalid."""
    cls = MESSAGE_TYPES.get(envelope.event_type)
    if cls is None:
        raise UnknownMessageTypeError(f"unknown event_type {envelope.event_type!r}")
    if envelope.schema_version > cls.schema_version:
        raise UnsupportedSchemaVersionError(
            f"{envelope.event_type} v{envelope.schema_version} is newer than v{cls.schema_version}"
        )
    return cls.model_validate(envelope.payload)
