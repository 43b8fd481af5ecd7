"""The Kafka client settings every service uses."""

from typing import Any

from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from payroute_common.settings import ServiceSettings


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    # Idempotent producers are off: the local broker (Tansu) rejects them, and the
    # outbox/inbox design gives exactly-once effects without them.
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        enable_idempotence=False,
        acks="all",
        linger_ms=1,
        logger=None,
    )


async def raw_body(message: StreamMessage[Any]) -> Any:
    """Decoder that leaves bodies as bytes: the consumer harness decodes envelopes itself."""
    return message.body
