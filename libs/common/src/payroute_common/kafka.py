"""The Kafka clients every service and tool uses, each connected as `KafkaSecurity` says."""

from typing import Any

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from payroute_common.kafka_security import broker_security, client_security
from payroute_common.settings import BrokerSettings, ServiceSettings

# Idempotent producers are off: the local broker (Tansu) rejects them, and the
# outbox/inbox design gives exactly-once effects without them.
PRODUCER_OPTIONS: dict[str, Any] = {"enable_idempotence": False, "acks": "all", "linger_ms": 1}


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    """The service's broker; its subscribers' consumers connect as it does."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        logger=None,
        security=broker_security(settings),
        **PRODUCER_OPTIONS,
    )


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """The outbox relay's producer: records go out as stored, past the broker's
    per-message publishing layers."""
    return producer_for(settings, client_id=f"{settings.service_name}-outbox")


def producer_for(settings: BrokerSettings, *, client_id: str) -> AIOKafkaProducer:
    """A plain producer (the outbox relay's, the operators' tools')."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        **PRODUCER_OPTIONS,
        **client_security(settings),
    )


async def raw_body(message: StreamMessage[Any]) -> Any:
    """Decoder that leaves bodies as bytes: the consumer harness decodes envelopes itself."""
    return message.body
