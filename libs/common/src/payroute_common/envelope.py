"""The one envelope every Kafka message travels in.

Payloads are typed messages (see `messages`); the envelope carries identity,
causality and tenancy. Trace context travels in Kafka headers, not here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field

from payroute_common.clock import utcnow


class Message(BaseModel):
    """Base of every command and event payload: frozen and versioned."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID
    event_type: str = Field(min_length=1)
    schema_version: int = Field(ge=1)
    occurred_at: datetime
    producer: str = Field(min_length=1)
    tenant_id: str = Field(min_length=1)
    aggregate_id: str = Field(min_length=1)
    correlation_id: str = Field(min_length=1)
    causation_id: str | None = None
    payload: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        message: Message,
        *,
        producer: str,
        tenant_id: str,
        aggregate_id: str,
        correlation_id: str | None = None,
        causation: Envelope | None = None,
    ) -> Self:
        """Envelope `message`; with `causation`, inherit its correlation id."""
        if correlation_id is None:
            correlation_id = causation.correlation_id if causation else aggregate_id
        return cls(
            event_id=uuid.uuid4(),
            event_type=message.event_type,
            schema_version=message.schema_version,
            occurred_at=utcnow(),
            producer=producer,
            tenant_id=tenant_id,
            aggregate_id=aggregate_id,
            correlation_id=correlation_id,
            causation_id=str(causation.event_id) if causation else None,
            payload=message.model_dump(mode="json"),
        )
