"""Batches as the consumer hands them to its handler, for tests without a broker."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from payroute_common.consumer import Received
from payroute_common.envelope import Envelope, Message
from payroute_common.messages import decode_payload


def received(*items: Message | Envelope, topic: str = "test") -> list[Received]:
    """`items` as one batch read from `topic`: envelopes as they are, messages in new
    envelopes (a new event id each). Handing the same list over again is a redelivery."""
    batch = []
    for offset, item in enumerate(items):
        if isinstance(item, Envelope):
            envelope, message = item, decode_payload(item)
        else:
            envelope = Envelope.wrap(item, producer="test", tenant_id="test", aggregate_id="test")
            message = item
        record: ConsumerRecord[bytes, bytes] = ConsumerRecord(
            topic, 0, offset, 0, 0, None, None, None, 0, 0, []
        )
        batch.append(Received(envelope, message, record))
    return batch
