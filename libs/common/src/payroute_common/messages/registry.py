"""Every message type by name, and decoding of an envelope's payload."""

from payroute_common.envelope import Envelope, Message
from payroute_common.messages import (
    access_keys,
    payment_commands,
    payment_events,
    provider_commands,
    provider_health,
    provider_results,
    provider_status,
    provider_webhooks,
    reconciliation_events,
)


def _message_types() -> dict[str, type[Message]]:
    found: dict[str, type[Message]] = {}
    for module in (
        access_keys,
        payment_commands,
        payment_events,
        provider_commands,
        provider_results,
        provider_webhooks,
        provider_health,
        provider_status,
        reconciliation_events,
    ):
        for value in vars(module).values():
            concrete = isinstance(value, type) and "event_type" in vars(value)
            if concrete and issubclass(value, Message):
                found[value.event_type] = value
    return found


MESSAGE_TYPES: dict[str, type[Message]] = _message_types()


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
