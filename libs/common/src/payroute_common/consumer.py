"""Batch consumption with poison-message isolation.

Each batch of records is decoded into envelopes; undecodable or schema-invalid
records go straight to the group's dead-letter topic. The valid ones go to the
service's batch handler (normally one transaction for the whole batch). When
the batch fails for a reason other than infrastructure, every record is retried
alone, a few times; those that still fail are dead-lettered, so a poison message
never blocks its partition. Infrastructure failures (database or broker
unreachable) propagate: the batch is not acknowledged and is read again.
Offsets are committed only after the batch is handled. Before each batch the
subscriber's lag per topic is read (consumer_lag.py); each dead-lettered record is
counted in `payroute_dead_letters_total`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import structlog
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from pydantic import ValidationError
from sqlalchemy.exc import InterfaceError, OperationalError
from tenacity import (
    AsyncRetrying,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from payroute_common.consumer_lag import ConsumerLag
from payroute_common.dead_letters import DeadLetter, send_dead_letters
from payroute_common.envelope import Envelope, Message
from payroute_common.kafka import raw_body
from payroute_common.messages import decode_payload
from payroute_common.service_metrics import DEAD_LETTERS, show_consumed_topics
from payroute_common.settings import ServiceSettings
from payroute_common.topics import TopicSpec, topic_name
from payroute_common.tracing import continue_trace

log = structlog.get_logger(__name__)

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    OSError,
    KafkaConnectionError,
    TimeoutError,
)
INFRASTRUCTURE_BACKOFF_S = 1.0

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


@dataclass(frozen=True)
class Received:
    envelope: Envelope
    message: Message
    record: Record

    def traced(self) -> contextlib.AbstractContextManager[None]:
        """Handle this message inside the trace its producer started."""
        envelope = self.envelope
        attributes = {
            "messaging.system": "kafka",
            "messaging.destination.name": self.record.topic,
            "payroute.event_type": envelope.event_type,
            "payroute.aggregate_id": envelope.aggregate_id,
        }
        return continue_trace(self.record.headers, f"{envelope.event_type} process", attributes)


BatchHandler = Callable[[Sequence[Received]], Awaitable[None]]


def decode(records: Sequence[Record]) -> tuple[list[Received], list[DeadLetter]]:
    received, dead = [], []
    for record in records:
        try:
            envelope = Envelope.model_validate_json(record.value or b"")
            received.append(Received(envelope, decode_payload(envelope), record))
        except (ValidationError, ValueError) as error:
            dead.append(DeadLetter(record, f"undecodable: {error}"))
    return received, dead


class BatchConsumer:
    def __init__(
        self, broker: KafkaBroker, settings: ServiceSettings, group: str, handler: BatchHandler
    ) -> None:
        self._broker = broker
        self._settings = settings
        self._group = group
        self._handler = handler

    async def process(self, records: Sequence[Record]) -> None:
        received, dead = decode(records)
        if received:
            dead += await self._handle(received)
        if dead:
            prefix = self._settings.topic_prefix
            await send_dead_letters(self._broker, self._group, prefix, dead)
            for letter in dead:
                topic = letter.record.topic.removeprefix(prefix)
                DEAD_LETTERS.labels(service=self._settings.service_name, topic=topic).inc()

    async def _handle(self, received: list[Received]) -> list[DeadLetter]:
        try:
            await self._handler(received)
        except INFRASTRUCTURE_ERRORS:
            await self._back_off()
            raise
        except Exception:
            log.exception("batch_failed_retrying_one_by_one", size=len(received))
        else:
            return []
        return [letter for item in received if (letter := await self._handle_alone(item))]

    async def _handle_alone(self, item: Received) -> DeadLetter | None:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._settings.handler_max_tries),
            wait=wait_exponential(multiplier=0.05, max=1.0),
            retry=retry_if_not_exception_type(INFRASTRUCTURE_ERRORS),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._handler([item])
        except INFRASTRUCTURE_ERRORS:
            await self._back_off()
            raise
        except Exception as error:
            log.exception("handler_failed", event_id=str(item.envelope.event_id))
            return DeadLetter(item.record, f"{type(error).__name__}: {error}")
        return None

    async def _back_off(self) -> None:
        log.warning("infrastructure_unavailable_batch_will_be_redelivered")
        await asyncio.sleep(INFRASTRUCTURE_BACKOFF_S)


def subscribe(
    broker: KafkaBroker,
    settings: ServiceSettings,
    *,
    group: str,
    topics: Sequence[TopicSpec],
    handler: BatchHandler,
) -> BatchConsumer:
    """Register a batch subscriber for `group` on `topics`, calling `handler`."""
    consumer = BatchConsumer(broker, settings, group, handler)
    names = {topic_name(t, settings.topic_prefix): t.name for t in topics}
    show_consumed_topics(settings.service_name, names.values())
    lag = ConsumerLag(settings.service_name, names)

    @broker.subscriber(
        *names,
        batch=True,
        # Environments sharing a broker keep apart by topic prefix: groups too.
        group_id=f"{settings.topic_prefix}{group}",
        max_records=settings.consumer_max_records,
        fetch_min_bytes=settings.consumer_fetch_min_bytes,
        fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
        batch_timeout_ms=settings.consumer_fetch_max_wait_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=raw_body,
    )
    async def consume(message: KafkaMessage) -> None:
        records = message.raw_message
        await lag.observe(message.consumer)
        await consumer.process(records if isinstance(records, tuple) else (records,))

    return consumer
