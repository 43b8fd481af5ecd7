"""The orchestrator's own tables: payment aggregates, plus outbox and inbox."""

from sqlalchemy import BigInteger, Column, DateTime, Integer, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

from payroute_common.db import new_metadata
from payroute_common.inbox import define_inbox
from payroute_common.outbox import define_outbox

metadata = new_metadata()

payments = Table(
    "payments",
    metadata,
    Column("id", Text, primary_key=True),
    Column("merchant_id", Text, nullable=False, index=True),
    Column("status", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("amount_capturable", BigInteger, nullable=False),
    Column("amount_captured", BigInteger, nullable=False),
    Column("amount_refunded", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("capture_method", Text, nullable=False),
    Column("payment_method", JSONB, nullable=False),
    Column("description", Text),
    Column("metadata", JSONB, nullable=False),
    Column("provider_preference", Text),
    Column("provider", Text),
    Column("provider_reference", Text, index=True),
    Column("failure", JSONB),
    Column("attempts", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

outbox = define_outbox(metadata)
inbox = define_inbox(metadata)
