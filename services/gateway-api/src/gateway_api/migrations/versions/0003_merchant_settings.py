"""merchant settings: platform fee override, routing, amount limits, verification window

Revision ID: 0003
Revises: 0002
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
    op.create_table(
        "merchant_settings",
        sa.Column("merchant_id", sa.Text(), nullable=False),
        sa.Column("platform_fee_ppm", sa.Integer(), nullable=True),
        sa.Column("routing", postgresql.JSONB(none_as_null=True), nullable=True),
        sa.Column("limits", postgresql.JSONB(), nullable=False),
        sa.Column("verification_ttl_seconds", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "platform_fee_ppm BETWEEN 0 AND 1000000",
            name=op.f("ck_merchant_settings_platform_fee_ppm"),
        ),
        sa.CheckConstraint(
            "verification_ttl_seconds BETWEEN 1 AND 2592000",
            name=op.f("ck_merchant_settings_verification_ttl_seconds"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_merchant_settings_merchant_id_merchants"),
        ),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_merchant_settings")),
    )


def downgrade() -> None:
    op.drop_table("merchant_settings")
