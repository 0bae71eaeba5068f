"""A digest subscription keeps its panel filter.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as table:  # batch: SQLite alters a table by copying it
        table.add_column(sa.Column("panel", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as table:
        table.drop_column("panel")
