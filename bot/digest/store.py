"""The bot's only state: digest subscriptions and a log of what was posted, in SQLAlchemy.

An embedded SQLite file by default, PostgreSQL when DATABASE_URL says so. The log's unique
(subscription, local date) row is how several processes post each digest exactly once: the one
whose INSERT succeeds posts, the others see the conflict and move on.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..errors import QuoteBotError
from ..models import EVERYTHING, Query
from .schedule import parse_time, parse_timezone

STYLES = ("text", "card")
metadata = sa.MetaData()
subscriptions = sa.Table(
    "subscriptions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(64), nullable=False),
    sa.Column("post_time", sa.String(5), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("topic", sa.String(200)),
    sa.Column("speaker", sa.String(200)),
    sa.Column("panel", sa.String(100)),  # added by migration 0002
    sa.Column("style", sa.String(8), nullable=False, server_default="text"),  # text or card; added by 0007
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("disabled_reason", sa.Text),
    sa.Column("created_by", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("platform", "channel", name="uq_subscriptions_channel"),
)
posts = sa.Table(
    "posts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("quote_ref", sa.Text, nullable=False),  # widened by migration 0005
    sa.Column("message_id", sa.String(100)),
    sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("posted_at", sa.DateTime(timezone=True)),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("subscription_id", "local_date", name="uq_posts_one_a_day"),
    sa.Index("ix_posts_local_date", "local_date"),
)


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    platform: str
    channel: str
    post_time: dt.time
    timezone: str
    topic: str | None
    speaker: str | None
    enabled: bool
    disabled_reason: str | None
    panel: str | None = None
    style: str = "text"  # how the quote is posted: text, or card (an image)

    @property
    def filters(self) -> Query:
        """Which quotes the digest draws from."""
        return Query(speaker=self.speaker, topic=self.topic, panel=self.panel)

    @property
    def digest_key(self) -> str:
        """What the digest pick is seeded with: the same channel gets the same order everywhere."""
        return f"{self.platform}:{self.channel}"


def database_url(env: Mapping[str, str] = os.environ) -> str:
    """DATABASE_URL, or an SQLite file in QUOTES_STATE_DIR (default: the user's state folder)."""
    if url := env.get("DATABASE_URL"):
        return url
    state = env.get("QUOTES_STATE_DIR") or str(Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
                                               / "panel-quotes")
    try:
        Path(state).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise QuoteBotError(f"QUOTES_STATE_DIR={state}: cannot create the state folder: {error.strerror}") from None
    return f"sqlite:///{Path(state) / 'panel-quotes.sqlite3'}"


def _safe_url(url: str) -> str:
    """The URL for a message, its password hidden; the scheme alone when it does not parse."""
    try:
        return sa.engine.make_url(url).render_as_string()
    except (sa.exc.ArgumentError, ValueError):
        return url.split("://", 1)[0] + "://…" if "://" in url else "(not a URL)"


def _row(row: sa.Row) -> Subscription:  # type: ignore[type-arg]
    return Subscription(row.id, row.platform, row.channel, parse_time(row.post_time), row.timezone, row.topic,
                        row.speaker, row.enabled, row.disabled_reason, row.panel, row.style)


class Store:
    """Subscriptions and the post log. Open with `Store.open(url)`, which migrates the schema."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        try:
            engine = sa.create_engine(url, pool_pre_ping=True)
            if engine.dialect.name == "sqlite":
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            from .migrations import upgrade

            upgrade(engine)
        except (sa.exc.SQLAlchemyError, OSError, ImportError, ValueError) as error:
            raise QuoteBotError(f"cannot open the database {_safe_url(url)}: {str(error).splitlines()[0]}") from None
        return cls(engine)

    def subscribe(self, platform: str, channel: str, post_time: str, timezone: str, *, filters: Query = EVERYTHING,
                  by: str | None = None, now: dt.datetime, style: str = "text") -> Subscription:
        """Create or replace the channel's subscription (its words are not kept: a digest draws from
        filters alone), posted as text or as a card (`style`); bad times and zones raise QuoteBotError."""
        when, zone = parse_time(post_time), parse_timezone(timezone)
        if style not in STYLES:
            raise QuoteBotError(f"a digest is posted as {' or '.join(STYLES)}, not {style!r}")
        values = {"post_time": when.strftime("%H:%M"), "timezone": zone.key, "topic": filters.topic,
                  "speaker": filters.speaker, "panel": filters.panel, "enabled": True, "disabled_reason": None,
                  "created_by": by, "created_at": now, "style": style}
        with self.engine.begin() as db:
            where = (subscriptions.c.platform == platform) & (subscriptions.c.channel == channel)
            if db.execute(sa.update(subscriptions).where(where).values(**values)).rowcount == 0:
                db.execute(sa.insert(subscriptions).values(platform=platform, channel=channel, **values))
            return _row(db.execute(sa.select(subscriptions).where(where)).one())

    def unsubscribe(self, platform: str, channel: str) -> bool:
        with self.engine.begin() as db:
            where = (subscriptions.c.platform == platform) & (subscriptions.c.channel == channel)
            return db.execute(sa.delete(subscriptions).where(where)).rowcount > 0

    def subscription(self, platform: str, channel: str) -> Subscription | None:
        with self.engine.connect() as db:
            row = db.execute(sa.select(subscriptions).where(
                (subscriptions.c.platform == platform) & (subscriptions.c.channel == channel))).first()
        return _row(row) if row else None

    def enabled(self) -> list[Subscription]:
        with self.engine.connect() as db:
            return [_row(r) for r in db.execute(sa.select(subscriptions).where(subscriptions.c.enabled))]

    def claimed_since(self, day: dt.date) -> set[tuple[int, dt.date]]:
        """(subscription, local date) of every claim from `day` on: what is done already."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(posts.c.subscription_id, posts.c.local_date).where(posts.c.local_date >= day))
            return {(r.subscription_id, r.local_date) for r in rows}

    def claim(self, subscription_id: int, local_date: dt.date, quote_ref: str, now: dt.datetime) -> int | None:
        """Claim the day's post; None when another process (or an earlier run) has it."""
        try:
            with self.engine.begin() as db:
                result = db.execute(sa.insert(posts).values(subscription_id=subscription_id, local_date=local_date,
                                                             quote_ref=quote_ref, claimed_at=now))
                key = result.inserted_primary_key
                return int(key[0]) if key else None
        except sa.exc.IntegrityError:  # the unique day, or a subscription deleted meanwhile
            return None

    def posted(self, claim_id: int, message_id: str, now: dt.datetime) -> None:
        with self.engine.begin() as db:
            db.execute(sa.update(posts).where(posts.c.id == claim_id).values(message_id=message_id, posted_at=now))

    def failed(self, claim_id: int, error: str) -> None:
        with self.engine.begin() as db:
            db.execute(sa.update(posts).where(posts.c.id == claim_id).values(error=error[:1000]))

    def disable(self, subscription_id: int, reason: str) -> None:
        with self.engine.begin() as db:
            db.execute(sa.update(subscriptions).where(subscriptions.c.id == subscription_id)
                       .values(enabled=False, disabled_reason=reason))

    def posted_refs(self, subscription_id: int) -> list[str]:
        """What the subscription has posted, oldest first: the log its digest order reads."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(posts.c.quote_ref).where(
                (posts.c.subscription_id == subscription_id) & posts.c.posted_at.is_not(None))
                .order_by(posts.c.local_date))
            return [row.quote_ref for row in rows]

    def last_post(self, subscription_id: int) -> sa.Row | None:  # type: ignore[type-arg]
        with self.engine.connect() as db:
            return db.execute(sa.select(posts).where(posts.c.subscription_id == subscription_id)
                              .order_by(posts.c.local_date.desc()).limit(1)).first()


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")  # so a deleted subscription takes its log with it
    cursor.execute("PRAGMA journal_mode=WAL")  # readers and the scheduler do not block each other
    cursor.close()
