"""admin API keys; late successes on the payment timeline

Revision ID: 0005
Revises: 0004
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
    op.drop_constraint(op.f("ck_api_keys_role"), "api_keys", type_="check")
    op.create_check_constraint(
        op.f("ck_api_keys_role"), "api_keys", "role IN ('merchant', 'operator', 'admin')"
    )
    op.add_column(
        "payment_events",
        sa.Column("late_success", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("payment_events", "late_success")
    # Admin keys cannot exist before this revision: they end revoked (and demoted).
    op.execute(
        "UPDATE api_keys SET role = 'operator', revoked_at = coalesce(revoked_at, now()) "
        "WHERE role = 'admin'"
    )
    op.drop_constraint(op.f("ck_api_keys_role"), "api_keys", type_="check")
    op.create_check_constraint(
        op.f("ck_api_keys_role"), "api_keys", "role IN ('merchant', 'operator')"
    )
