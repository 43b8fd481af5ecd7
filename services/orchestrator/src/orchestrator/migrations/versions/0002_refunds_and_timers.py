"""refunds, timers and the payment lifecycle

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:09:15.760707
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("payment_id", sa.Text(), nullable=False),
        sa.Column("merchant_id", sa.Text(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("provider_reference", sa.Text(), nullable=True),
        sa.Column("failure", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
    )
    op.create_index(op.f("ix_refunds_payment_id"), "refunds", ["payment_id"], unique=False)
    op.create_table(
        "timers",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("aggregate_id", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "payload", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
    )
    op.create_index(op.f("ix_timers_aggregate_id"), "timers", ["aggregate_id"], unique=False)
    op.create_index(op.f("ix_timers_due_at"), "timers", ["due_at"], unique=False)
    op.add_column(
        "payments",
        sa.Column("amount_refund_pending", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.add_column("payments", sa.Column("return_url", sa.Text(), nullable=True))
    op.add_column(
        "payments", sa.Column("platform_fee_ppm", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "payments", sa.Column("fees", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "payments", sa.Column("next_action", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "payments", sa.Column("verification_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "payments", sa.Column("operation", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("payments", "operation")
    op.drop_column("payments", "verification_expires_at")
    op.drop_column("payments", "next_action")
    op.drop_column("payments", "fees")
    op.drop_column("payments", "platform_fee_ppm")
    op.drop_column("payments", "return_url")
    op.drop_column("payments", "amount_refund_pending")
    op.drop_index(op.f("ix_timers_due_at"), table_name="timers")
    op.drop_index(op.f("ix_timers_aggregate_id"), table_name="timers")
    op.drop_table("timers")
    op.drop_index(op.f("ix_refunds_payment_id"), table_name="refunds")
    op.drop_table("refunds")
