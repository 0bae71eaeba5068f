"""The cooldown as one row per user: the times of their commands in the window, as a JSON list.

One statement counts a command or refuses it (the row's lock keeps two replicas apart), where the
row per command of 0003 needed a count and an insert. Recent counts are not carried over: a
cooldown starts afresh at the upgrade.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_cooldown",
        sa.Column("actor", sa.String(200), primary_key=True),
        sa.Column("times", sa.Text, nullable=False),
        sa.Column("last_at", sa.Float, nullable=False),
        sa.Column("refused", sa.Boolean, nullable=False),
    )
    op.create_index("ix_chat_cooldown_last_at", "chat_cooldown", ["last_at"])
    op.drop_table("chat_commands")


def downgrade() -> None:
    op.create_table(
        "chat_commands",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_chat_commands_actor_at", "chat_commands", ["actor", "at"])
    op.drop_table("chat_cooldown")
