"""The analytics tables: each payment's fact, and buckets of figures by hour and by day.

Every bucket change is written at `grain` 'hour' and 'day' (the period's start,
UTC), for its merchant and for the platform (`merchant_id` `PLATFORM`): a range
is answered from whole days plus the hours at its edges, for one merchant id,
so a year is a few hundred rows per group and currency whatever the number of
payments or merchants. `hist_<i>` counts payments whose processing time falls
in bucket i of `PROCESSING_BOUNDS_MS`.
"""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
)

from gateway_api.analytics.facts import HISTOGRAM_BUCKETS
from gateway_api.tables import metadata

GRAINS = ("hour", "day")
PLATFORM = "*"  # the merchant id of every merchant's figures together (ids are `mch_...`)
HISTOGRAM_COLUMNS = tuple(f"hist_{i}" for i in range(HISTOGRAM_BUCKETS))
FIGURE_COLUMNS = (
    "payments",
    "succeeded",
    "failed",
    "volume",
    "provider_fees",
    "platform_fees",
    "net",
    "processing_ms_sum",
    "processed",
    *HISTOGRAM_COLUMNS,
)

analytics_payment_facts = Table(
    "analytics_payment_facts",
    metadata,
    Column("payment_id", Text, primary_key=True),
    Column("merchant_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("provider", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("volume", BigInteger, nullable=False),
    Column("provider_fee", BigInteger, nullable=False),
    Column("platform_fee", BigInteger, nullable=False),
    Column("net", BigInteger, nullable=False),
    Column("processing_ms", BigInteger),
    Column("failure_reason", Text),
    CheckConstraint("outcome IN ('open', 'succeeded', 'failed')", name="outcome"),
)

analytics_payment_buckets = Table(
    "analytics_payment_buckets",
    metadata,
    Column("merchant_id", Text, nullable=False),
    Column("grain", Text, nullable=False),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("provider", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("currency", Text, nullable=False),
    *(Column(name, BigInteger, nullable=False, server_default="0") for name in FIGURE_COLUMNS),
    PrimaryKeyConstraint("merchant_id", "grain", "period_start", "provider", "method", "currency"),
    CheckConstraint("grain IN ('hour', 'day')", name="grain"),
)

analytics_failure_buckets = Table(
    "analytics_failure_buckets",
    metadata,
    Column("merchant_id", Text, nullable=False),
    Column("grain", Text, nullable=False),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("provider", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("failures", BigInteger, nullable=False, server_default="0"),
    PrimaryKeyConstraint("merchant_id", "grain", "period_start", "provider", "reason"),
    CheckConstraint("grain IN ('hour', 'day')", name="grain"),
)
