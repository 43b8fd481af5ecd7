"""webhook request body size

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and without a default: adding it rewrites nothing; rows stored
    # before it keep NULL (their bodies were stored whole, or not at all).
    op.add_column("webhook_requests", sa.Column("body_size", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("webhook_requests", "body_size")
