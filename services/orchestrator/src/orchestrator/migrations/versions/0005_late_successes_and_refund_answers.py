"""late successes given back, kept with their payment; what the provider said of each refund

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column(
            "late_successes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
    )
    op.add_column(
        "refunds",
        sa.Column("provider_answer", sa.Text(), server_default="none", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("refunds", "provider_answer")
    op.drop_column("payments", "late_successes")
