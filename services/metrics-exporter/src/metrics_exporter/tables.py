"""metrics-exporter's own tables: durable counters, once-only markers, and the inbox."""

from sqlalchemy import BigInteger, Column, DateTime, Table, Text, func

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

inbox = define_inbox(metadata)
