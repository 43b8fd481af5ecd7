"""gateway-api's own tables: merchants, API keys, the payments read model, outbox and inbox."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
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
    CheckConstraint("role IN ('merchant', 'operator', 'admin')", name="role"),
)

# A merchant's own terms (no row = every default); its fee tier stays on `merchants`.
merchant_settings = Table(
    "merchant_settings",
    metadata,
    Column("merchant_id", Text, ForeignKey("merchants.id"), primary_key=True),
    Column("platform_fee_ppm", Integer),  # None = the tier's rate
    Column("routing", JSONB(none_as_null=True)),  # RoutingPreferences; None = defaults
    Column("limits", JSONB, nullable=False),  # {currency: {minimum, maximum}}
    Column("verification_ttl_seconds", Integer),  # None = the default window
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("platform_fee_ppm BETWEEN 0 AND 1000000", name="platform_fee_ppm"),
    CheckConstraint(
        "verification_ttl_seconds BETWEEN 1 AND 2592000",
        name="verification_ttl_seconds",
    ),
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
    Column("fees", JSONB(none_as_null=True)),
    Column("attempts", JSONB, nullable=False, server_default="[]"),
    Column("next_action", JSONB(none_as_null=True)),
    Column("verification_expires_at", DateTime(timezone=True)),
    # A capture/cancel/verify sent and not yet answered (see `pending_operations`).
    Column("pending_operation", Text),
    Column("dispute", JSONB(none_as_null=True)),
    Index("ix_payments_merchant_id_created_at", "merchant_id", "created_at"),
    Index("ix_payments_merchant_id_order_id", "merchant_id", "order_id"),
    Index("ix_payments_merchant_id_customer_id", "merchant_id", "customer_id"),
    Index("ix_payments_merchant_id_status_created_at", "merchant_id", "status", "created_at"),
)

# The refunds the gateway asked for, moved on by RefundCreated/Succeeded/Failed snapshots.
refunds = Table(
    "refunds",
    metadata,
    Column("id", Text, primary_key=True),
    Column("payment_id", Text, ForeignKey("payments.id"), nullable=False),
    Column("merchant_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("reason", Text),
    Column("status", Text, nullable=False),
    Column("provider", Text),
    Column("provider_reference", Text),
    Column("failure", JSONB(none_as_null=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_refunds_payment_id", "payment_id"),
)

# Every payment event the gateway consumed: the payment's timeline.
payment_events = Table(
    "payment_events",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("payment_id", Text, nullable=False),
    Column("merchant_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    Column("version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("refund_id", Text),
    Column("refund_amount", BigInteger),
    Column("operation", Text),
    Column("failure", JSONB(none_as_null=True)),
    Column("late_success", JSONB(none_as_null=True)),  # LateSuccess, for the late-success events
    Index("ix_payment_events_payment_id_version", "payment_id", "version"),
)

# Idempotency-Key → the first answer, per merchant; purged after 24 h.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("merchant_id", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("status_code", Integer),
    Column("response", JSONB(none_as_null=True)),
    # False while the first request still waits (Prefer: wait) after its commit.
    Column("completed", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_idempotency_keys_created_at", "created_at"),
)

outbox = define_outbox(metadata)
inbox = define_inbox(metadata)

# The analytics buckets live on this metadata too (declared beside their projection).
from gateway_api.analytics import tables as analytics_tables  # noqa: E402, F401
