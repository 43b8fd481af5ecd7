"""Dead-letter records as read back: where each came from, why it left, how to send it back.

The headers are the ones `dead_letters.dead_letter_headers` writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError

from payroute_common.envelope import Envelope
from payroute_common.topic_reader import Record

DLQ_HEADER_PREFIX = "dlq-"
REPLAYED_FROM_HEADER = "dlq-replayed-from"


@dataclass(frozen=True)
class Letter:
    """One record of a `<group>.dlq` topic."""

    record: Record
    original_topic: str | None
    original_partition: int | None
    original_offset: int | None
    error: str
    event_id: str | None
    event_type: str | None

    @property
    def partition(self) -> int:
        return int(self.record.partition)

    @property
    def offset(self) -> int:
        return int(self.record.offset)

    @property
    def dead_lettered_at(self) -> datetime:
        return datetime.fromtimestamp(self.record.timestamp / 1000, tz=UTC)

    @property
    def key(self) -> str | None:
        return None if self.record.key is None else self.record.key.decode("utf-8", "replace")

    def replayed_from(self) -> str:
        return f"{self.record.topic}:{self.partition}:{self.offset}"

    def replay_headers(self) -> list[tuple[str, bytes]]:
        """The record's own headers, without the dead-letter ones, plus where it came from."""
        kept = [(k, v) for k, v in self.record.headers if not k.startswith(DLQ_HEADER_PREFIX)]
        return [*kept, (REPLAYED_FROM_HEADER, self.replayed_from().encode())]


def read_letter(record: Record) -> Letter:
    headers = {key: (value or b"").decode("utf-8", "replace") for key, value in record.headers}
    event_id, event_type = _event_of(record.value)
    return Letter(
        record=record,
        original_topic=headers.get("dlq-original-topic") or None,
        original_partition=_int_or_none(headers.get("dlq-original-partition")),
        original_offset=_int_or_none(headers.get("dlq-original-offset")),
        error=headers.get("dlq-error", ""),
        event_id=event_id,
        event_type=event_type,
    )


def _event_of(value: bytes | None) -> tuple[str | None, str | None]:
    try:
        envelope = Envelope.model_validate_json(value or b"")
    except (ValidationError, ValueError):
        return None, None
    return str(envelope.event_id), envelope.event_type


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
