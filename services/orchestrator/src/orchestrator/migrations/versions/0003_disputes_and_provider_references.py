"""disputes, and lookups of provider news by reference

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "payments", sa.Column("dispute", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.create_index(
        "ix_payments_attempts",
        "payments",
        ["attempts"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"attempts": "jsonb_path_ops"},
    )
    op.create_index(
        op.f("ix_refunds_provider_reference"), "refunds", ["provider_reference"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_refunds_provider_reference"), table_name="refunds")
    op.drop_index("ix_payments_attempts", table_name="payments", postgresql_using="gin")
    op.drop_column("payments", "dispute")
