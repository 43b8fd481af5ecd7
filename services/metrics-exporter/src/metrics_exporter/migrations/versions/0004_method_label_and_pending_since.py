"""payment counters by method, pending-verification age, webhook counter dropped

Payments and captured amounts gain a `method` label. Rows counted before it have
none: they are relabelled `method="other"` (merged into any row already there), so
no counter goes backwards. `payment_statuses.since` keeps when a payment entered
its status; rows kept before it take the migration's time. The webhooks counter
moved to webhook-ingest (`payroute_webhooks_total`): its rows go.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:40:00.000000
"""

import json
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BY_METHOD = ("payroute_payments_total", "payroute_payment_amount_minor_total")
DROPPED = "payroute_webhooks_received_total"
OTHER = "other"


def _relabel(relabelled: Callable[[dict[str, str]], dict[str, str]]) -> None:
    """Rewrite the labels of the BY_METHOD rows, summing rows that end up the same."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT name, labels, value FROM counters WHERE name = ANY(:names)"),
        {"names": list(BY_METHOD)},
    ).all()
    merged: dict[tuple[str, str], int] = {}
    for name, labels, value in rows:
        key = (
            name,
            json.dumps(relabelled(json.loads(labels)), sort_keys=True, separators=(",", ":")),
        )
        merged[key] = merged.get(key, 0) + value
    connection.execute(
        sa.text("DELETE FROM counters WHERE name = ANY(:names)"), {"names": list(BY_METHOD)}
    )
    if merged:
        connection.execute(
            sa.text("INSERT INTO counters (name, labels, value) VALUES (:name, :labels, :value)"),
            [
                {"name": n, "labels": labels, "value": v}
                for (n, labels), v in sorted(merged.items())
            ],
        )


def upgrade() -> None:
    op.add_column(
        "payment_statuses",
        sa.Column(
            "since", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
    )
    _relabel(lambda labels: {"method": OTHER, **labels})
    op.get_bind().execute(sa.text("DELETE FROM counters WHERE name = :name"), {"name": DROPPED})


def downgrade() -> None:
    _relabel(lambda labels: {k: v for k, v in labels.items() if k != "method"})
    op.drop_column("payment_statuses", "since")
