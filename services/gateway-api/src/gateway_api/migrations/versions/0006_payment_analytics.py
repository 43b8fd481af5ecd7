"""payment analytics: each payment's fact, hourly and daily buckets per merchant and
for the platform (merchant_id '*'), failure reasons

Payments the gateway already holds are counted from its read model: their outcome
from the status, their processing time from the timeline's first event showing
that outcome (the last update when the timeline has none), exactly as the
projection would have counted their events.

Revision ID: 0006
Revises: 0005
"""

import itertools
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PROCESSING_BOUNDS_MS at this revision: bucket i holds bounds[i-1] < ms <= bounds[i].
BOUNDS_MS = (100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000,
             1_800_000, 3_600_000, 86_400_000)  # fmt: skip
HISTOGRAM_BUCKETS = len(BOUNDS_MS) + 1
SUCCEEDED = "'authorized', 'captured', 'partially_refunded', 'refunded', 'disputed', 'canceled'"
FIGURES = (
    "payments",
    "succeeded",
    "failed",
    "volume",
    "provider_fees",
    "platform_fees",
    "net",
    "processing_ms_sum",
    "processed",
    *(f"hist_{i}" for i in range(HISTOGRAM_BUCKETS)),
)


def upgrade() -> None:
    op.create_table(
        "analytics_payment_facts",
        sa.Column("payment_id", sa.Text(), nullable=False),
        sa.Column("merchant_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("volume", sa.BigInteger(), nullable=False),
        sa.Column("provider_fee", sa.BigInteger(), nullable=False),
        sa.Column("platform_fee", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("processing_ms", sa.BigInteger(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('open', 'succeeded', 'failed')",
            name=op.f("ck_analytics_payment_facts_outcome"),
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_analytics_payment_facts")),
    )
    op.create_table(
        "analytics_payment_buckets",
        sa.Column("merchant_id", sa.Text(), nullable=False),
        sa.Column("grain", sa.Text(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), server_default="0", nullable=False) for name in FIGURES),
        sa.CheckConstraint(
            "grain IN ('hour', 'day')", name=op.f("ck_analytics_payment_buckets_grain")
        ),
        sa.PrimaryKeyConstraint(
            "merchant_id",
            "grain",
            "period_start",
            "provider",
            "method",
            "currency",
            name=op.f("pk_analytics_payment_buckets"),
        ),
    )
    op.create_table(
        "analytics_failure_buckets",
        sa.Column("merchant_id", sa.Text(), nullable=False),
        sa.Column("grain", sa.Text(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("failures", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "grain IN ('hour', 'day')", name=op.f("ck_analytics_failure_buckets_grain")
        ),
        sa.PrimaryKeyConstraint(
            "merchant_id",
            "grain",
            "period_start",
            "provider",
            "reason",
            name=op.f("pk_analytics_failure_buckets"),
        ),
    )

    backfill()


def _outcome(status: str) -> str:
    return (
        f"CASE WHEN {status} = 'failed' THEN 'failed' "
        f"WHEN {status} IN ({SUCCEEDED}) THEN 'succeeded' ELSE 'open' END"
    )


def _histogram() -> list[str]:
    edges = [None, *BOUNDS_MS, None]
    buckets = []
    for lower, upper in itertools.pairwise(edges):
        conditions = ["processing_ms IS NOT NULL"]
        conditions += [f"processing_ms > {lower}"] if lower is not None else []
        conditions += [f"processing_ms <= {upper}"] if upper is not None else []
        buckets.append(f"count(*) FILTER (WHERE {' AND '.join(conditions)})")
    return buckets


# Each fact goes to its hour and its day (UTC), for its merchant and for the platform.
PERIODS = """
    FROM analytics_payment_facts f
    CROSS JOIN (VALUES ('hour'), ('day')) AS g(grain)
    CROSS JOIN LATERAL (VALUES (f.merchant_id), ('*')) AS m(merchant_id)
"""
PERIOD_START = "date_trunc(g.grain, f.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"


def backfill() -> None:
    op.execute(f"""
        INSERT INTO analytics_payment_facts
            (payment_id, merchant_id, version, created_at, provider, method, currency, outcome,
             volume, provider_fee, platform_fee, net, processing_ms, failure_reason)
        SELECT p.id, p.merchant_id, p.version, p.created_at, coalesce(p.provider, 'none'),
               p.payment_method->>'type', p.currency, o.outcome, p.amount_captured,
               coalesce((p.fees->>'provider_fee')::bigint, 0),
               coalesce((p.fees->>'platform_fee')::bigint, 0),
               coalesce((p.fees->>'net')::bigint, p.amount_captured),
               CASE WHEN o.outcome <> 'open' THEN greatest(0, floor(extract(epoch FROM coalesce(
                   (SELECT min(e.occurred_at) FROM payment_events e
                    WHERE e.payment_id = p.id AND {_outcome("e.status")} = o.outcome),
                   p.updated_at) - p.created_at) * 1000))::bigint END,
               CASE WHEN o.outcome = 'failed' THEN p.failure->>'code' END
        FROM payments p
        CROSS JOIN LATERAL (SELECT {_outcome("p.status")} AS outcome) o
    """)  # noqa: S608 - no input: constants of this revision
    figures = ", ".join(FIGURES)
    op.execute(f"""
        INSERT INTO analytics_payment_buckets
            (merchant_id, grain, period_start, provider, method, currency, {figures})
        SELECT m.merchant_id, g.grain, {PERIOD_START}, f.provider, f.method, f.currency,
               count(*), count(*) FILTER (WHERE f.outcome = 'succeeded'),
               count(*) FILTER (WHERE f.outcome = 'failed'), sum(f.volume),
               sum(f.provider_fee), sum(f.platform_fee), sum(f.net),
               coalesce(sum(f.processing_ms), 0), count(f.processing_ms),
               {", ".join(_histogram())}
        {PERIODS}
        GROUP BY 1, 2, 3, 4, 5, 6
    """)
    op.execute(f"""
        INSERT INTO analytics_failure_buckets
            (merchant_id, grain, period_start, provider, reason, failures)
        SELECT m.merchant_id, g.grain, {PERIOD_START}, f.provider,
               coalesce(f.failure_reason, 'unknown'), count(*)
        {PERIODS}
        WHERE f.outcome = 'failed'
        GROUP BY 1, 2, 3, 4, 5
    """)


def downgrade() -> None:
    op.drop_table("analytics_failure_buckets")
    op.drop_table("analytics_payment_buckets")
    op.drop_table("analytics_payment_facts")
