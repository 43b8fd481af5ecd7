"""The Kafka client settings every service uses."""

from typing import Any

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from payroute_common.settings import ServiceSettings

# Idempotent producers are off: the local broker (Tansu) rejects them, and the
# outbox/inbox design gives exactly-once effects without them.
PRODUCER_OPTIONS: dict[str, Any] = {"enable_idempotence": False, "acks": "all", "linger_ms": 1}


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        logger=None,
        **PRODUCER_OPTIONS,
    )


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """The outbox relay's producer: records go out as stored, past the broker's
    per-message publishing layers."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.service_name}-outbox",
        **PRODUCER_OPTIONS,
    )


async def raw_body(message: StreamMessage[Any]) -> Any:
    """Decoder that leaves bodies as bytes: the consumer harness decodes envelopes itself."""
    return message.body
