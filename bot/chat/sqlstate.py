"""The chat core's state in the bot's database, shared by its replicas and kept across restarts.

Four tables beside the digests' (migrations 0003 and 0004): buttons under answers, the rotation
of random quotes per place and query, each user's recent commands for the cooldown, and the
requests already served, so that a replayed one is refused on every replica. Every
call is one short transaction; expired buttons and old rows are pruned as they are met, and
at most once a minute a sweep removes the rest.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..digest.store import metadata
from ..models import Query
from .state import BUTTON_DAYS, Shown, new_token, query_key

buttons = sa.Table(
    "chat_buttons", metadata,
    sa.Column("token", sa.String(32), primary_key=True),
    sa.Column("shown", sa.Text, nullable=False),  # Shown as JSON
    sa.Column("sent", sa.Boolean, nullable=False, default=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Index("ix_chat_buttons_expires_at", "expires_at"),
)
rotation = sa.Table(
    "chat_rotation", metadata,
    sa.Column("place", sa.String(200), primary_key=True),
    sa.Column("query", sa.String(32), primary_key=True),  # query_key()
    sa.Column("ref", sa.Text, primary_key=True),  # widened by migration 0005
    sa.Column("seen_at", sa.Float, nullable=False),
    sa.Index("ix_chat_rotation_seen_at", "seen_at"),
)
commands = sa.Table(
    "chat_commands", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Index("ix_chat_commands_actor_at", "actor", "at"),
)
requests = sa.Table(
    "chat_requests", metadata,  # signatures of requests already served: a replay is refused
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("until", sa.Float, nullable=False),
    sa.Index("ix_chat_requests_until", "until"),
)
ROTATION_DAYS = 30  # a place's rotation of a query nobody asked again for this long starts afresh
_SWEEP_SECONDS = 60.0


class SqlState:
    """The ChatState of `engine`'s database (the digests' SQLite file or PostgreSQL)."""

    @classmethod
    def beside(cls, store_engine: Engine) -> SqlState:
        """The state in the store's database, on connections of its own: on PostgreSQL they commit
        without waiting for the disk (a server crash may forget the last moments of buttons and
        cooldowns, never corrupt them; the digests' claims keep waiting for theirs)."""
        url = store_engine.url
        if url.get_backend_name() != "postgresql":
            return cls(store_engine)
        given = url.query.get("options", "")  # DATABASE_URL's own (a search_path, say) are kept
        options = " ".join(filter(None, [given if isinstance(given, str) else " ".join(given),
                                         "-c synchronous_commit=off"]))
        return cls(sa.create_engine(url.update_query_dict({"options": options}), pool_pre_ping=True))

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine, self.clock = engine, clock
        self._swept = 0.0
        self._batch = threading.local()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction for every step inside: what one command or press reads and writes costs
        one connection and one commit, not one each."""
        if getattr(self._batch, "db", None) is not None:
            yield
            return
        with self.engine.begin() as db:
            self._batch.db = db
            try:
                yield
            finally:
                self._batch.db = None
        self._sweep()

    def hold(self, key: str) -> None:
        """Inside a batch on PostgreSQL: wait for any other replica working on `key` (a user's
        cooldown, a place's rotation) to commit first, so that neither misses the other's rows."""
        db = getattr(self._batch, "db", None)
        if db is not None and db.dialect.name == "postgresql":
            db.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})

    @contextlib.contextmanager
    def _step(self) -> Iterator[sa.Connection]:
        """The batch's connection, or a transaction of the step's own."""
        db = getattr(self._batch, "db", None)
        if db is not None:
            yield db
        else:
            with self.engine.begin() as own:
                yield own

    def _sweep(self) -> None:
        """At most once a minute, in a transaction of its own (never inside a command's, where two
        replicas sweeping could wait on each other): expired and old rows go."""
        now = self.clock()
        if now - self._swept < _SWEEP_SECONDS:
            return
        self._swept = now
        with self.engine.begin() as db:
            self._sweep_in(db, now)

    def _sweep_in(self, db: sa.Connection, now: float) -> None:
        db.execute(sa.delete(buttons).where(buttons.c.expires_at <= now))
        db.execute(sa.delete(rotation).where(rotation.c.seen_at <= now - ROTATION_DAYS * 86400))
        db.execute(sa.delete(commands).where(commands.c.at <= now - 86400))  # no cooldown spans a day
        db.execute(sa.delete(requests).where(requests.c.until <= now))

    # -- buttons -----------------------------------------------------------------------------

    def remember(self, shown: Shown) -> str:
        token, now = new_token(), self.clock()
        with self._step() as db:
            db.execute(sa.insert(buttons).values(token=token, shown=shown.to_json(), sent=False,
                                                 expires_at=now + BUTTON_DAYS * 86400))
        return token

    def recall(self, token: str) -> Shown | None:
        with self._step() as db:
            row = db.execute(sa.select(buttons.c.shown).where(
                (buttons.c.token == token) & (buttons.c.expires_at > self.clock()))).first()
        return Shown.from_json(row.shown) if row else None

    def save(self, token: str, shown: Shown) -> None:
        with self._step() as db:
            db.execute(sa.update(buttons).where(buttons.c.token == token).values(shown=shown.to_json()))

    def forget(self, token: str) -> None:
        with self._step() as db:
            db.execute(sa.delete(buttons).where(buttons.c.token == token))

    def claim_send(self, token: str) -> bool:
        # One UPDATE that only an unsent row matches: of two presses at once, on any replicas,
        # the database lets exactly one change it.
        with self._step() as db:
            changed = db.execute(sa.update(buttons).where((buttons.c.token == token) & ~buttons.c.sent)
                                 .values(sent=True)).rowcount
        return changed == 1

    def release_send(self, token: str) -> None:
        with self._step() as db:
            db.execute(sa.update(buttons).where(buttons.c.token == token).values(sent=False))

    # -- the rotation of random quotes -------------------------------------------------------

    def _where(self, place: str, query: Query) -> sa.ColumnElement[bool]:
        return (rotation.c.place == place) & (rotation.c.query == query_key(query))

    def seen(self, place: str, query: Query) -> set[str]:
        with self._step() as db:
            return {row.ref for row in db.execute(sa.select(rotation.c.ref).where(self._where(place, query)))}

    def see(self, place: str, query: Query, ref: str) -> None:
        row = {"place": place, "query": query_key(query), "ref": ref, "seen_at": self.clock()}
        with self._step() as db:
            db.execute(_upsert(db, rotation, row, ("place", "query", "ref"), {"seen_at": row["seen_at"]}))

    def new_round(self, place: str, query: Query) -> None:
        with self._step() as db:
            db.execute(sa.delete(rotation).where(self._where(place, query)))

    # -- the cooldown ------------------------------------------------------------------------

    def spend(self, user: str, limit: int, per: float) -> float:
        now = self.clock()
        self.hold(f"cooldown:{user}")
        with self._step() as db:  # rows older than the window are left to the sweep
            recent = db.execute(sa.select(sa.func.count(), sa.func.min(commands.c.at)).where(
                (commands.c.actor == user) & (commands.c.at > now - per))).one()
            if recent[0] >= limit:
                return float(recent[1]) + per - now
            db.execute(sa.insert(commands).values(actor=user, at=now))
        return 0.0

    # -- replays -----------------------------------------------------------------------------

    def first_time(self, key: str, within: float) -> bool:
        now = self.clock()
        try:
            with self.engine.begin() as db:  # on its own: a conflict must not spoil a batch
                db.execute(sa.delete(requests).where((requests.c.key == key) & (requests.c.until <= now)))
                db.execute(sa.insert(requests).values(key=key, until=now + within))
        except sa.exc.IntegrityError:
            return False  # met already, here or on another replica
        return True


def _upsert(db: sa.Connection, table: sa.Table, row: dict[str, object], keys: tuple[str, ...],
            changes: dict[str, object]) -> sa.Executable:
    """INSERT, or UPDATE `changes` where the keys exist: one statement on PostgreSQL and SQLite."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if db.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**row).on_conflict_do_update(index_elements=list(keys), set_=changes)
