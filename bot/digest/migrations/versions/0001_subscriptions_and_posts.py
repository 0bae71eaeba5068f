"""Digest subscriptions and the log of what was posted.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("post_time", sa.String(5), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(200)),
        sa.Column("speaker", sa.String(200)),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("created_by", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("platform", "channel", name="uq_subscriptions_channel"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("quote_ref", sa.String(300), nullable=False),
        sa.Column("message_id", sa.String(100)),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("subscription_id", "local_date", name="uq_posts_one_a_day"),
    )
    op.create_index("ix_posts_local_date", "posts", ["local_date"])


def downgrade() -> None:
    op.drop_index("ix_posts_local_date", "posts")
    op.drop_table("posts")
    op.drop_table("subscriptions")
