"""A digest subscription says how its quote is posted: as text (every subscription so far) or as
an image card (`style:card`).

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as table:  # batch: SQLite alters a table by copying it
        table.add_column(sa.Column("style", sa.String(8), nullable=False, server_default="text"))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as table:
        table.drop_column("style")
