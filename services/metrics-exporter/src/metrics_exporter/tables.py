"""metrics-exporter's own tables: durable counters, once-only markers, gauge state, inbox."""

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Index, Integer, Table, Text, func

from payroute_common.db import new_metadata
from payroute_common.inbox import define_inbox

metadata = new_metadata()

counters = Table(
    "counters",
    metadata,
    Column("name", Text, primary_key=True),
    Column("labels", Text, primary_key=True),  # canonical JSON of the sorted label dict
    Column("value", BigInteger, nullable=False),
)

# Facts counted at most once whatever carries them, e.g. "payment X reached captured":
# the inbox stops the same event counting twice, this stops two events saying the same.
counted_outcomes = Table(
    "counted_outcomes",
    metadata,
    Column("key", Text, primary_key=True),
    Column("counted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The latest known status of each payment that may wait for verification (manual
# methods); the pending-verification gauges count those in `pending_verification`
# and read the oldest `since` (when the payment entered its status). A row changes
# only for a newer version, so late, older snapshots change nothing.
payment_statuses = Table(
    "payment_statuses",
    metadata,
    Column("payment_id", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_payment_statuses_status", "status"),
)

# One row per reconciliation issue: open until a `resolved` or `auto_resolved` event
# closes it; a close never reopens. The open-issues gauge counts open rows by class.
reconciliation_issues = Table(
    "reconciliation_issues",
    metadata,
    Column("issue_id", Text, primary_key=True),
    Column("issue_class", Text, nullable=False),
    Column("open", Boolean, nullable=False),
    Index("ix_reconciliation_issues_open_class", "open", "issue_class"),
)

inbox = define_inbox(metadata)
