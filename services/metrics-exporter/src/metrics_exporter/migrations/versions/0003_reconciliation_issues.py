"""reconciliation issues

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_issues",
        sa.Column("issue_id", sa.Text(), nullable=False),
        sa.Column("issue_class", sa.Text(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("issue_id", name=op.f("pk_reconciliation_issues")),
    )
    op.create_index(
        "ix_reconciliation_issues_open_class",
        "reconciliation_issues",
        ["open", "issue_class"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_reconciliation_issues_open_class", table_name="reconciliation_issues")
    op.drop_table("reconciliation_issues")
