"""attempt log: the amount and currency each call moved (captures, voids, refunds)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("attempt_log", sa.Column("amount", sa.BigInteger(), nullable=True))
    op.add_column("attempt_log", sa.Column("currency", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("attempt_log", "currency")
    op.drop_column("attempt_log", "amount")
