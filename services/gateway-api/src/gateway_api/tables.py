"""gateway-api's own tables: merchants, API keys, the payments read model, outbox and inbox."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

from payroute_common.db import new_metadata
from payroute_common.inbox import define_inbox
from payroute_common.outbox import define_outbox

metadata = new_metadata()

merchants = Table(
    "merchants",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("tier IN ('starter', 'professional', 'enterprise')", name="tier"),
)

# The secret itself is never stored: only its SHA-256 (hex) and its last four characters.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Text, primary_key=True),
    Column("merchant_id", Text, ForeignKey("merchants.id"), nullable=False, index=True),
    Column("role", Text, nullable=False),
    Column("key_hash", Text, nullable=False, unique=True),
    Column("last4", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    CheckConstraint("role IN ('merchant', 'operator')", name="role"),
)

# The read model of payments: written at creation, then moved by payment.events snapshots.
payments = Table(
    "payments",
    metadata,
    Column("id", Text, primary_key=True),
    Column("merchant_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("amount_capturable", BigInteger, nullable=False),
    Column("amount_captured", BigInteger, nullable=False),
    Column("amount_refunded", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("capture_method", Text, nullable=False),
    Column("payment_method", JSONB, nullable=False),
    Column("provider", Text),
    Column("provider_reference", Text),
    Column("failure", JSONB(none_as_null=True)),
    Column("order_id", Text),
    Column("customer_id", Text),
    Column("description", Text),
    Column("metadata", JSONB, nullable=False),
    Column("return_url", Text),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_payments_merchant_id_created_at", "merchant_id", "created_at"),
)

outbox = define_outbox(metadata)
inbox = define_inbox(metadata)
