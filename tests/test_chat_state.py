"""The chat state behind one interface: in memory, and in the database that replicas share.

The same contract runs on every store; then two chat cores on one database (two replicas, or
one bot before and after a restart) must behave as one bot.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import Actor, Answer, Chat, Cooldown, Library, MemoryState, Notice, Place, Query, Shared, SqlState, Store
from bot.chat.state import BUTTON_DAYS, ChatState, Shown

from .postgres import running_postgres, server_binaries

ALICE, BOB = Actor("U-alice"), Actor("U-bob")
HERE = Place("test", "C1")
NO_POSTGRES = "NO POSTGRESQL SERVER BINARIES: install Debian's postgresql (CI does)"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    server_binaries() is None, reason=NO_POSTGRES))])
def state_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A function making states that share one store (one database), with a clock tests move."""
    clock = Clock()
    if request.param == "memory":
        memory = MemoryState(clock)
        yield (lambda: memory), clock
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
        yield (lambda: SqlState(Store.open(url).engine, clock)), clock
        return
    with running_postgres() as url:
        yield (lambda: SqlState(Store.open(url).engine, clock)), clock


def shown(user: str = "U-alice", refs: tuple[str, ...] = ("p/q1", "p/q2")) -> Shown:
    return Shown(Query("算力", speaker="陈石", topic="泡沫", panel="aigc-2023"), user, list(refs),
                 [((0, 2), (5, 7)), ()], index=1, private=True)


def test_buttons_are_remembered_saved_and_expire(state_factory: tuple) -> None:
    make, clock = state_factory
    state: ChatState = make()
    token = state.remember(shown())
    again = state.recall(token)
    assert again == shown() and again is not None
    again.index = 0
    state.save(token, again)
    assert make().recall(token).index == 0  # type: ignore[union-attr]
    clock.now += BUTTON_DAYS * 86400 + 1
    assert make().recall(token) is None
    state.forget(token)


def test_send_is_claimed_once_and_can_be_released(state_factory: tuple) -> None:
    make, _ = state_factory
    first, second = make(), make()
    token = first.remember(shown())
    assert [first.claim_send(token), second.claim_send(token), first.claim_send(token)] == [True, False, False]
    second.release_send(token)
    assert first.claim_send(token)


def test_the_rotation_and_the_cooldown_are_shared(state_factory: tuple) -> None:
    make, clock = state_factory
    a, b = make(), make()
    query = Query(topic="感受")
    a.see("p:C1", query, "p/q1")
    b.see("p:C1", query, "p/q2")
    assert a.seen("p:C1", query) == {"p/q1", "p/q2"} and b.seen("p:C2", query) == set()
    b.new_round("p:C1", query)
    assert a.seen("p:C1", query) == set()
    assert [a.spend("u", 2, 30), b.spend("u", 2, 30)] == [0.0, 0.0]
    assert a.spend("u", 2, 30) == pytest.approx(30)
    clock.now += 31
    assert b.spend("u", 2, 30) == 0.0


def test_commands_at_once_on_replicas_never_pass_the_limit(state_factory: tuple) -> None:
    make, _ = state_factory
    replicas = [make() for _ in range(4)]
    together = threading.Barrier(len(replicas), timeout=10)
    waits: list[float] = []

    def command(state: ChatState) -> None:
        together.wait()
        waits.extend(state.spend("u", 3, 30) for _ in range(3))

    threads = [threading.Thread(target=command, args=(state,)) for state in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(waits) == 12 and waits.count(0.0) == 3  # of twelve at once, exactly the limit
    assert all(0 < wait <= 30 for wait in waits if wait)
    assert replicas[0].spend("u", 3, 30) > 0


def chat_on(url: str, library: Library, cooldown: str = "off") -> Chat:
    """A chat core as one bot process has it: its own connection to the shared database."""
    return Chat(library, cooldown=Cooldown.parse(cooldown), state=SqlState(Store.open(url).engine))


def test_a_button_answered_before_a_restart_works_after_it(library: Library, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    answer = chat_on(url, library).ask("大模型", ALICE, HERE, private=True)
    assert isinstance(answer, Answer)
    restarted = chat_on(url, library)
    paged = restarted.press(answer.token, "next", ALICE, HERE)
    assert isinstance(paged, Answer) and paged.page == (2, 5)
    assert isinstance(chat_on(url, library).press(answer.token, "prev", ALICE, HERE), Answer)  # the page was kept
    assert isinstance(restarted.press(answer.token, "send", ALICE, HERE), Shared)


def test_send_pressed_on_two_replicas_at_once_posts_once(library: Library, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    replicas = [chat_on(url, library) for _ in range(4)]
    token = replicas[0].ask("奇瑞", ALICE, HERE, private=True).token  # type: ignore[union-attr]
    together = threading.Barrier(len(replicas), timeout=10)
    results: list[object] = []

    def press(chat: Chat) -> None:
        together.wait()
        results.append(chat.press(token, "send", ALICE, HERE))

    threads = [threading.Thread(target=press, args=(chat,)) for chat in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sum(isinstance(r, Shared) for r in results) == 1
    assert sum(isinstance(r, Notice) for r in results) == len(replicas) - 1


def test_replicas_share_the_cooldown_and_never_repeat_in_a_channel(library: Library, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    a, b = chat_on(url, library, "2/30"), chat_on(url, library, "2/30")
    assert isinstance(a.ask("算力", ALICE, HERE), Answer) and isinstance(b.ask("算力", ALICE, HERE), Answer)
    assert isinstance(a.ask("算力", ALICE, HERE), Notice)
    a, b = chat_on(url, library), chat_on(url, library)
    matches = len(library.search(Query(speaker="林莱尼"), limit=100))
    shown = [(a if n % 2 else b).ask("random speaker:林莱尼", BOB, HERE).card.quote.ref  # type: ignore[union-attr]
             for n in range(matches)]
    assert len(set(shown)) == matches  # every match once, whichever replica answered


@pytest.mark.skipif(server_binaries() is None, reason=NO_POSTGRES)
def test_replicas_answering_at_once_on_postgresql_never_repeat(library: Library) -> None:
    matches = len(library.search(Query(speaker="林莱尼"), limit=100))
    rounds = 8
    shown: dict[str, list[str]] = {f"C{n}": [] for n in range(rounds)}
    with running_postgres() as url:
        replicas = [chat_on(url, library) for _ in range(matches)]
        together = threading.Barrier(matches, timeout=10)

        def ask(chat: Chat) -> None:
            for channel, refs in shown.items():  # every replica asks in each channel at once
                together.wait()
                refs.append(chat.ask("random speaker:林莱尼", BOB, Place("test", channel)).card.quote.ref)  # type: ignore[union-attr]

        threads = [threading.Thread(target=ask, args=(chat,)) for chat in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert all(len(set(refs)) == len(refs) == matches for refs in shown.values())  # the rotation's lock


def test_a_request_is_met_once_within_its_window(state_factory: tuple) -> None:
    make, clock = state_factory
    a, b = make(), make()
    assert [a.first_time("slack:v0=1", 300), b.first_time("slack:v0=1", 300), a.first_time("slack:v0=2", 300)] == \
        [True, False, True]
    clock.now += 301
    assert b.first_time("slack:v0=1", 300)  # the window has passed: Slack itself refuses it by then


def test_digest_commands_work_on_sqlite_with_the_cooldown_on(library: Library, tmp_path: Path) -> None:
    """Found in review: the command's open transaction held SQLite's write lock against the store."""
    import time

    url = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    store = Store.open(url)
    chat = Chat(library, cooldown=Cooldown.parse("5/30"), store=store, state=SqlState(store.engine))
    started = time.monotonic()
    reply = chat.ask("digest subscribe 09:00 UTC", Actor("U1", manages=True), HERE)
    assert isinstance(reply, Notice) and reply.messages[0].key == "digest.subscribed"
    assert time.monotonic() - started < 2 and store.subscription("test", "C1") is not None


def test_the_states_own_postgresql_connections_keep_the_urls_options() -> None:
    import sqlalchemy as sa

    engine = sa.create_engine("postgresql+psycopg://u@h/db?options=-csearch_path%3Dquotes")
    options = SqlState.beside(engine).engine.url.query["options"]
    assert options == "-csearch_path=quotes -c synchronous_commit=off"


def test_quote_refs_of_any_length_are_kept(state_factory: tuple) -> None:
    """Found in review: a slug longer than 300 characters broke every command on PostgreSQL."""
    make, _ = state_factory
    state = make()
    ref = "p/" + "q" * 1000
    state.see("p:C1", Query(topic="x"), ref)
    assert state.seen("p:C1", Query(topic="x")) == {ref}


@pytest.mark.skipif(server_binaries() is None, reason=NO_POSTGRES)
def test_connections_cut_by_the_server_are_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy as sa

    from bot.chat import sqlstate

    def cut_every_other_connection(url: str) -> None:
        with sa.create_engine(url, poolclass=sa.pool.NullPool).connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"))

    with running_postgres() as url:
        store = Store.open(url)
        monkeypatch.setattr(sqlstate, "_PING_IDLE_SECONDS", 0.0)  # every connection counts as idle
        pinged = SqlState.beside(store.engine)
        token = pinged.remember(shown())
        cut_every_other_connection(url)
        assert pinged.recall(token) == shown()  # the ping met the cut and took a new connection

        monkeypatch.setattr(sqlstate, "_PING_IDLE_SECONDS", 3600.0)  # busy: no ping
        busy = SqlState.beside(store.engine)
        assert busy.recall(token) == shown()
        cut_every_other_connection(url)
        with pytest.raises(sa.exc.OperationalError):
            busy.recall(token)  # one step fails, and the pool drops every connection it had
        assert busy.recall(token) == shown()
