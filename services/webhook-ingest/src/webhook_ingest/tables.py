"""webhook-ingest's own tables: the raw webhook audit log, plus the outbox.

Every request is a row, whatever its fate. The partial unique index is the
dedupe: at most one `accepted` row per provider event id; later deliveries of
the same event are stored as `duplicate`. Rows older than the retention are
pruned (retention.py), and with them the dedupe of their events.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from payroute_common.db import new_metadata
from payroute_common.outbox import define_outbox

metadata = new_metadata()

webhook_requests = Table(
    "webhook_requests",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("provider", Text, nullable=False),
    Column("provider_event_id", Text),
    Column("provider_event_type", Text),
    Column("headers", JSONB, nullable=False),
    Column("body", Text, nullable=False),
    # The body's size as received: larger than `body` when a refused body was cut
    # short (domain.request_row); NULL on rows stored before it was recorded.
    Column("body_size", BigInteger),
    Column("verified", Boolean, nullable=False),
    Column("status", Text, nullable=False),
    Column("error", Text),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('accepted', 'rejected', 'duplicate')", name="status"),
    Index(
        "uq_webhook_requests_accepted_event",
        "provider",
        "provider_event_id",
        unique=True,
        postgresql_where=text("status = 'accepted'"),
    ),
    Index("ix_webhook_requests_received_at", "received_at"),
)

outbox = define_outbox(metadata)
