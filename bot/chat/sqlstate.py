"""The chat core's state in the bot's database, shared by its replicas and kept across restarts.

Four tables beside the digests' (migrations 0003, 0004 and 0006): buttons under answers, the
rotation of random quotes per place and query, each user's recent commands for the cooldown, and the
requests already served, so that a replayed one is refused on every replica. Every
step is one statement; expired buttons and old rows are pruned as they are met, and
at most once a minute a sweep removes the rest.
"""

from __future__ import annotations

import contextlib
import functools
import json
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
cooldown = sa.Table(
    "chat_cooldown", metadata,  # migration 0006
    sa.Column("actor", sa.String(200), primary_key=True),
    sa.Column("times", sa.Text, nullable=False),  # the user's commands in the window, a JSON list
    sa.Column("last_at", sa.Float, nullable=False),
    sa.Column("refused", sa.Boolean, nullable=False),  # whether the user's latest command was refused
    sa.Index("ix_chat_cooldown_last_at", "last_at"),
)
requests = sa.Table(
    "chat_requests", metadata,  # signatures of requests already served: a replay is refused
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("until", sa.Float, nullable=False),
    sa.Index("ix_chat_requests_until", "until"),
)
ROTATION_DAYS = 30  # a place's rotation of a query nobody asked again for this long starts afresh
_SWEEP_SECONDS = 60.0
_PING_IDLE_SECONDS = 10.0  # a pooled connection unused this long is pinged before use


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
        engine = sa.create_engine(url.update_query_dict({"options": options}))
        _ping_when_idle(engine, _PING_IDLE_SECONDS)
        return cls(engine)

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        # On PostgreSQL each step is a statement committed as it runs: one round trip, where
        # BEGIN, the step and COMMIT would be three. A batch opens a transaction only to hold a key.
        self._each_commits = engine.dialect.name == "postgresql"
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT") if self._each_commits else engine
        self.clock = clock
        self._swept = 0.0
        self._batch = threading.local()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """The steps of one command or press on one connection: on SQLite in one transaction (one
        commit, not one each); on PostgreSQL each step commits (every one is whole on its own)."""
        if getattr(self._batch, "db", None) is not None:
            yield
            return
        with self.engine.begin() as db:
            self._batch.db, self._batch.held = db, False
            try:
                yield
            except BaseException:
                if self._batch.held:
                    db.exec_driver_sql("ROLLBACK")
                raise
            else:
                if self._batch.held:
                    db.exec_driver_sql("COMMIT")
            finally:
                self._batch.db = None
        self._sweep()

    def hold(self, key: str) -> None:
        """Inside a batch on PostgreSQL: wait for any other replica working on `key` (a place's
        rotation) to commit first, so that neither misses the other's rows. The batch's steps
        from here on are one transaction, committed when it ends."""
        db = getattr(self._batch, "db", None)
        if db is None or not self._each_commits:
            return  # SQLite: the batch's transaction has the database's write lock already
        if not self._batch.held:
            db.exec_driver_sql("BEGIN")
            self._batch.held = True
        db.execute(_LOCK, {"key": key})

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
        db.execute(sa.delete(cooldown).where(cooldown.c.last_at <= now - 86400))  # no cooldown spans a day
        db.execute(sa.delete(requests).where(requests.c.until <= now))

    # -- buttons -----------------------------------------------------------------------------

    def remember(self, shown: Shown) -> str:
        token = new_token()
        with self._step() as db:
            db.execute(_INSERT_BUTTON, {"token": token, "shown": shown.to_json(), "sent": False,
                                        "expires_at": self.clock() + BUTTON_DAYS * 86400})
        return token

    def recall(self, token: str) -> Shown | None:
        with self._step() as db:
            row = db.execute(_RECALL, {"b_token": token, "now": self.clock()}).first()
        return Shown.from_json(row.shown) if row else None

    def save(self, token: str, shown: Shown) -> None:
        with self._step() as db:
            db.execute(_SAVE, {"b_token": token, "b_shown": shown.to_json()})

    def forget(self, token: str) -> None:
        with self._step() as db:
            db.execute(_FORGET, {"b_token": token})

    def claim_send(self, token: str) -> bool:
        # One UPDATE that only an unsent row matches: of two presses at once, on any replicas,
        # the database lets exactly one change it.
        with self._step() as db:
            return db.execute(_CLAIM, {"b_token": token}).first() is not None

    def release_send(self, token: str) -> None:
        with self._step() as db:
            db.execute(_RELEASE, {"b_token": token})

    # -- the rotation of random quotes -------------------------------------------------------

    def seen(self, place: str, query: Query) -> set[str]:
        with self._step() as db:
            return {row.ref for row in db.execute(_SEEN, {"r_place": place, "r_query": query_key(query)})}

    def see(self, place: str, query: Query, ref: str) -> None:
        row = {"place": place, "query": query_key(query), "ref": ref, "seen_at": self.clock()}
        with self._step() as db:
            db.execute(_see(db.dialect.name), row)

    def new_round(self, place: str, query: Query) -> None:
        with self._step() as db:
            db.execute(_NEW_ROUND, {"r_place": place, "r_query": query_key(query)})

    # -- the cooldown ------------------------------------------------------------------------

    def spend(self, user: str, limit: int, per: float) -> float:
        # One statement: the user's row is locked while it is read and written, so two commands
        # at once, on any replicas, are counted one after the other.
        now = self.clock()
        values = {"actor": user, "now": now, "since": now - per, "limit": limit, "first": json.dumps([now])}
        with self._step() as db:
            times, refused = db.execute(_SPEND[db.dialect.name], values).one()
        if not refused:
            return 0.0
        return min(float(at) for at in json.loads(times) if float(at) > now - per) + per - now

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


# The statements of every command and press, built once: building one costs more than running it.
_INSERT_BUTTON = sa.insert(buttons)
_WHERE_TOKEN = buttons.c.token == sa.bindparam("b_token")
_RECALL = sa.select(buttons.c.shown).where(_WHERE_TOKEN & (buttons.c.expires_at > sa.bindparam("now")))
_SAVE = sa.update(buttons).where(_WHERE_TOKEN).values(shown=sa.bindparam("b_shown"))
_FORGET = sa.delete(buttons).where(_WHERE_TOKEN)
_CLAIM = sa.update(buttons).where(_WHERE_TOKEN & ~buttons.c.sent).values(sent=True).returning(buttons.c.token)
_RELEASE = sa.update(buttons).where(_WHERE_TOKEN).values(sent=False)
_WHERE_ROUND = (rotation.c.place == sa.bindparam("r_place")) & (rotation.c.query == sa.bindparam("r_query"))
_SEEN = sa.select(rotation.c.ref).where(_WHERE_ROUND)
_NEW_ROUND = sa.delete(rotation).where(_WHERE_ROUND)
def _spend(elements: str, number: str, gather: str) -> sa.TextClause:
    """Count a command unless `limit` are in the window already; `refused` says which it was.
    `elements` lists the row's times (as `number`); `gather` makes a JSON list of the kept ones."""
    under = f"(SELECT count(*) FROM {elements} WHERE {number} > :since) < :limit"
    return sa.text(f"""
        INSERT INTO chat_cooldown AS c (actor, times, last_at, refused) VALUES (:actor, :first, :now, false)
        ON CONFLICT (actor) DO UPDATE SET
          times = CASE WHEN {under} THEN (SELECT {gather} FROM (
                      SELECT {number} AS at FROM {elements} WHERE {number} > :since
                      UNION ALL SELECT CAST(:now AS DOUBLE PRECISION)) AS kept) ELSE c.times END,
          last_at = CASE WHEN {under} THEN :now ELSE c.last_at END,
          refused = NOT {under}
        RETURNING times, refused""")


_SPEND = {
    "postgresql": _spend("json_array_elements_text(c.times::json) AS t(at)", "at::float8", "json_agg(at)::text"),
    "sqlite": _spend("json_each(c.times)", "value", "json_group_array(at)"),
}
_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")

@functools.cache
def _see(dialect: str) -> sa.Executable:
    """The rotation's upsert (insert, or move `seen_at` on) in `dialect`'s words: one statement."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = (postgresql if dialect == "postgresql" else sqlite).insert(rotation)
    return insert.on_conflict_do_update(index_elements=["place", "query", "ref"],
                                        set_={"seen_at": insert.excluded.seen_at})


def _ping_when_idle(engine: Engine, idle: float) -> None:
    """Ping a pooled connection before use only when it sat unused for `idle` seconds (a server
    restart is met there), not before every command as `pool_pre_ping` does: that is a round trip
    each. A connection that fails its ping is replaced (the pool tries again with a new one)."""

    @sa.event.listens_for(engine.pool, "checkout")
    def ping(dbapi_connection: object, record: sa.pool.ConnectionPoolEntry, proxy: object) -> None:
        if time.monotonic() - record.info.get("used_at", 0.0) < idle:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # type: ignore[arg-type]
        except Exception as error:
            raise sa.exc.DisconnectionError(str(error)) from error

    @sa.event.listens_for(engine.pool, "checkin")
    def used(dbapi_connection: object, record: sa.pool.ConnectionPoolEntry) -> None:
        record.info["used_at"] = time.monotonic()
