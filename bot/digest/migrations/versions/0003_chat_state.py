"""The chat core's state, shared by a bot's replicas: buttons, the rotation, the cooldown.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_buttons",
        sa.Column("token", sa.String(32), primary_key=True),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("sent", sa.Boolean, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    op.create_index("ix_chat_buttons_expires_at", "chat_buttons", ["expires_at"])
    op.create_table(
        "chat_rotation",
        sa.Column("place", sa.String(200), primary_key=True),
        sa.Column("query", sa.String(32), primary_key=True),
        sa.Column("ref", sa.String(300), primary_key=True),
        sa.Column("seen_at", sa.Float, nullable=False),
    )
    op.create_index("ix_chat_rotation_seen_at", "chat_rotation", ["seen_at"])
    op.create_table(
        "chat_commands",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_chat_commands_actor_at", "chat_commands", ["actor", "at"])


def downgrade() -> None:
    op.drop_table("chat_commands")
    op.drop_table("chat_rotation")
    op.drop_table("chat_buttons")
