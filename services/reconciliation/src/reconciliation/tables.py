"""reconciliation's own tables: its ledger view of payments, the money moved, the API
keys allowed to read them, and the inbox."""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, Table, Text

from payroute_common.db import new_metadata
from payroute_common.inbox import define_inbox

metadata = new_metadata()

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("payment_id", Text, primary_key=True),
    Column("merchant_id", Text, nullable=False),
    Column("provider", Text),
    Column("provider_reference", Text),
    Column("status", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("amount_captured", BigInteger, nullable=False),
    Column("amount_refunded", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("captured_at", DateTime(timezone=True)),
    # Settlement lines are matched by provider reference.
    Index("ix_ledger_entries_provider_reference", "provider", "provider_reference"),
)

# Money actually moved, one row per fact (see movements.py): a payment's capture
# (source_id = payment id) and each succeeded refund (source_id = refund id).
# Amounts are positive; `kind` gives the direction.
ledger_movements = Table(
    "ledger_movements",
    metadata,
    Column("kind", Text, primary_key=True),  # capture | refund
    Column("source_id", Text, primary_key=True),
    Column("payment_id", Text, nullable=False),
    Column("merchant_id", Text, nullable=False),
    Column("provider", Text),
    Column("provider_reference", Text),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("provider_fee", BigInteger),  # captures only; refunds do not return fees
    Column("platform_fee", BigInteger),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Index("ix_ledger_movements_payment_id", "payment_id"),
    # Settlement lines are matched by provider reference.
    Index("ix_ledger_movements_provider_reference", "provider", "provider_reference"),
)

# API keys as announced on `access.keys` (key_store.py). `role` and `key_hash` are
# empty only for a key whose revocation arrived before its issue.
api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", Text, primary_key=True),
    Column("merchant_id", Text, nullable=False),
    Column("role", Text),
    Column("key_hash", Text),
    Column("created_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Index("uq_api_keys_key_hash", "key_hash", unique=True),
)

inbox = define_inbox(metadata)
