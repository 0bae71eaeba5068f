"""Quote refs of any length: a panel id and a quote id are slugs with no length limit.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("chat_rotation", "posts"):
        column = "ref" if table == "chat_rotation" else "quote_ref"
        with op.batch_alter_table(table) as batch:  # batch: SQLite alters a table by copying it
            batch.alter_column(column, type_=sa.Text, existing_type=sa.String(300), existing_nullable=False)


def downgrade() -> None:
    for table in ("chat_rotation", "posts"):
        column = "ref" if table == "chat_rotation" else "quote_ref"
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.String(300), existing_type=sa.Text, existing_nullable=False)
