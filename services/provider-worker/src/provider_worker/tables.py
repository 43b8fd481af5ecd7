"""provider-worker's tables: the attempt log, plus outbox and inbox."""

from sqlalchemy import BigInteger, Column, DateTime, Integer, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB

from payroute_common.db import new_metadata
from payroute_common.inbox import define_inbox
from payroute_common.outbox import define_outbox

metadata = new_metadata()

# One row per provider call: an authorization attempt (`operation` authorize,
# keyed by attempt id), a capture, void or refund (keyed by operation id), or the
# latest status query of an attempt (`operation` status, keyed by attempt id).
# `outcome`: captured | authorized | requires_action | succeeded | pending (a refund the
# provider settles later) | failed, and for
# status queries also pending | canceled | not_found | unknown;
# `amount`/`currency`: what the provider confirmed moving (or holds, for status).
attempt_log = Table(
    "attempt_log",
    metadata,
    Column("attempt_id", Text, primary_key=True),
    Column("operation", Text, primary_key=True),
    Column("payment_id", Text, nullable=False, index=True),
    Column("provider", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("provider_reference", Text),
    Column("error", JSONB),
    Column("latency_ms", Integer, nullable=False),
    Column("amount", BigInteger),
    Column("currency", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = define_outbox(metadata)
inbox = define_inbox(metadata)
