"""Requests a chat bot has served, so that every replica refuses a replay.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("chat_requests", sa.Column("key", sa.String(200), primary_key=True),
                    sa.Column("until", sa.Float, nullable=False))
    op.create_index("ix_chat_requests_until", "chat_requests", ["until"])


def downgrade() -> None:
    op.drop_table("chat_requests")
