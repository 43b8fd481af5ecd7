"""reconciliation's own tables: its ledger view of payments, the money moved, refunds
and late successes as the provider should report them, the API keys allowed to read
them, settlement reports and their lines, runs, issues, the daily schedule, the
inbox and the outbox."""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from payroute_common.db import new_metadata
from payroute_common.inbox import define_inbox
from payroute_common.outbox import define_outbox

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

# Every refund in its latest status (pending, succeeded, failed), so a report that
# settles a refund Payroute shows failed is a status mismatch, not a stranger.
# `settled_at` is when it first showed `succeeded`.
ledger_refunds = Table(
    "ledger_refunds",
    metadata,
    Column("refund_id", Text, primary_key=True),
    Column("payment_id", Text, nullable=False),
    Column("provider", Text),
    Column("provider_reference", Text),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True)),
    Index("ix_ledger_refunds_provider_reference", "provider", "provider_reference"),
)

# A provider's success for an attempt the payment no longer needed, and how its
# reversal went: `found` (reversal sent), `reversed`, `reversal_failed`.
late_successes = Table(
    "late_successes",
    metadata,
    Column("attempt_id", Text, primary_key=True),
    Column("payment_id", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("provider_reference", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("reversal", Text, nullable=False),  # void | refund
    Column("operation_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Index("ix_late_successes_provider_reference", "provider", "provider_reference"),
    Index("ix_late_successes_payment_id", "payment_id"),
)

# One row per distinct file a provider sent (same bytes, same report). `errors`
# keeps the first lines that could not be read; `error_count` counts them all.
# The period is the settlement dates the report covers.
reports = Table(
    "reports",
    metadata,
    Column("id", Text, primary_key=True),
    Column("provider", Text, nullable=False),
    Column("content_sha256", Text, nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("source", Text, nullable=False),  # upload | directory
    Column("filename", Text),
    Column("lines", Integer, nullable=False, server_default="0"),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("errors", JSONB, nullable=False, server_default="[]"),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    UniqueConstraint("provider", "content_sha256", name="uq_reports_provider_content"),
    Index("ix_reports_provider_period", "provider", "period_start", "period_end"),
)

# The report's readable lines (see reports/lines.py), loaded with COPY.
report_lines = Table(
    "report_lines",
    metadata,
    Column("report_id", Text, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("movement_id", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("status", Text),
    Column("payment_id", Text),
)

# One matching of a report (or of one settlement date of it) against the ledger.
# A scheduled run is unique per provider and date: replicas cannot both make it.
runs = Table(
    "runs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("provider", Text, nullable=False),
    Column("report_id", Text),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("trigger", Text, nullable=False),  # request | schedule
    Column("status", Text, nullable=False),  # running | completed | failed
    Column("counts", JSONB, nullable=False, server_default="{}"),
    # Matches with an explanation, by note (late_success, late_success_reversed, ...).
    Column("explained", JSONB, nullable=False, server_default="{}"),
    Column("lines", Integer, nullable=False, server_default="0"),
    Column("errors", JSONB, nullable=False, server_default="[]"),
    Column("duration_ms", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Column("completed_at", DateTime(timezone=True)),
    Index(
        "uq_runs_scheduled_day",
        "provider",
        "period_start",
        unique=True,
        postgresql_where=text("trigger = 'schedule'"),
    ),
    Index("ix_runs_status_created", "status", "created_at"),
)

# A discrepancy a run found. One open issue per subject (provider, kind,
# reference) and class: a later run that finds it again does not repeat it.
issues = Table(
    "issues",
    metadata,
    Column("id", Text, primary_key=True),
    Column("run_id", Text, nullable=False),
    Column("class", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("kind", Text, nullable=False),  # charge | refund
    Column("reference", Text, nullable=False),
    Column("payment_id", Text),
    Column("line_no", Integer),
    Column("expected", JSONB),
    Column("actual", JSONB),
    Column("note", Text),
    Column("status", Text, nullable=False),  # open | resolved | auto_resolved
    Column("resolution_note", Text),
    Column("resolved_by", Text),
    Column("resolved_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    Index(
        "uq_issues_open_subject",
        "provider",
        "kind",
        "reference",
        "class",
        unique=True,
        postgresql_where=text("status = 'open'"),
    ),
    Index("ix_issues_run_id", "run_id"),
    Index("ix_issues_status_class", "status", "class"),
)

# The daily schedule: per provider, the next settlement date to reconcile. Rows
# are locked while claimed, so one replica runs a day; a day missed while down is
# still `next_date` after a restart.
schedule = Table(
    "schedule",
    metadata,
    Column("provider", Text, primary_key=True),
    Column("next_date", Date, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
)

inbox = define_inbox(metadata)
outbox = define_outbox(metadata)
