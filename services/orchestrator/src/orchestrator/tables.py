"""The orchestrator's own tables: payment and refund aggregates, what routing knows of
providers, timers, outbox and inbox."""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, Table, Text
from sqlalchemy.dialects.postgresql import JSONB

from payroute_common.db import new_metadata
from payroute_common.inbox import define_inbox
from payroute_common.outbox import define_outbox
from payroute_common.timers import define_timers

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
    Column("amount_refund_pending", BigInteger, nullable=False, server_default="0"),
    Column("currency", Text, nullable=False),
    Column("capture_method", Text, nullable=False),
    Column("payment_method", JSONB, nullable=False),
    Column("description", Text),
    Column("metadata", JSONB, nullable=False),
    Column("provider_preference", Text),
    Column("return_url", Text),
    Column("platform_fee_ppm", Integer, nullable=False, server_default="0"),
    Column("routing", JSONB, nullable=False, server_default="{}"),
    Column("provider", Text),
    Column("provider_reference", Text, index=True),
    Column("failure", JSONB),
    Column("fees", JSONB),
    Column("next_action", JSONB),
    Column("verification_expires_at", DateTime(timezone=True)),
    Column("attempts", JSONB, nullable=False),
    Column("operation", JSONB),
    Column("dispute", JSONB),
    # Successes the payment no longer needed, and their voids or refunds (migration 0005).
    Column("late_successes", JSONB, nullable=False, server_default="[]"),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Provider news without a payment id is routed by the reference of one of its attempts.
    Index(
        "ix_payments_attempts",
        "attempts",
        postgresql_using="gin",
        postgresql_ops={"attempts": "jsonb_path_ops"},
    ),
)

refunds = Table(
    "refunds",
    metadata,
    Column("id", Text, primary_key=True),
    Column("payment_id", Text, nullable=False, index=True),
    Column("merchant_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("reason", Text),
    Column("status", Text, nullable=False),
    Column("provider", Text),
    Column("provider_reference", Text, index=True),
    Column("failure", JSONB),
    # What the provider said so far: none, undetermined, accepted (settles by webhook).
    Column("provider_answer", Text, nullable=False, server_default="none"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# What routing knows of each provider: its latest health (from provider.health) ...
provider_health = Table(
    "provider_health",
    metadata,
    Column("provider", Text, primary_key=True),
    Column("health", Text, nullable=False),
    Column("circuit", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# ... and its attempts and successes per minute (a rolling window is a sum of minutes).
provider_outcomes = Table(
    "provider_outcomes",
    metadata,
    Column("provider", Text, primary_key=True),
    Column("minute", DateTime(timezone=True), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("successes", Integer, nullable=False),
)

timers = define_timers(metadata)
outbox = define_outbox(metadata)
inbox = define_inbox(metadata)
