"""The chat core decides every command and button once, for every front end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bot import Actor, Chat, Place
from bot.chat.catalogue import text
from bot.chat.command import Command, DigestOrder
from bot.chat.cooldown import Cooldown
from bot.chat.replies import Answer, Audience, Button, ContextView, Help, Listing, Notice, Removed, Shared
from bot.digest.store import Store
from bot.library import Library
from bot.models import Query

ALICE, BOB = Actor("U-alice"), Actor("U-bob")
HERE = Place("test", "C1")


def keys(reply: object) -> list[str]:
    assert isinstance(reply, Notice), reply
    return [m.key for m in reply.messages]


def answered(chat: Chat, *, private: bool, text: str = "大模型") -> Answer:
    reply = chat.ask(text, ALICE, HERE, private=private)
    assert isinstance(reply, Answer), reply
    return reply


@pytest.mark.parametrize(("button", "private", "bob_may"), [
    ("next", False, False), ("prev", True, False), ("send", True, False), ("cancel", True, False),
    ("context", True, False), ("context", False, True), ("another", True, False), ("another", False, True),
])
def test_who_may_press_each_button(library: Library, button: str, private: bool, bob_may: bool) -> None:
    chat = Chat(library)
    token = answered(chat, private=private).token
    by_bob = chat.press(token, button, BOB, HERE)
    refused = isinstance(by_bob, Notice) and keys(by_bob) == ["refused.not_yours"]
    assert refused is not bob_may
    assert not isinstance(chat.press(token, button, ALICE, HERE), Notice)


def test_send_works_once_unless_sending_failed(library: Library) -> None:
    chat = Chat(library)
    token = answered(chat, private=True).token
    first = chat.press(token, "send", ALICE, HERE)
    assert isinstance(first, Shared) and first.by == ALICE.id
    assert keys(chat.press(token, "send", ALICE, HERE)) == ["refused.already_sent"]
    assert keys(chat.share_failed(token, "not_in_channel")) == ["share.not_in_channel"]
    assert isinstance(chat.press(token, "send", ALICE, HERE), Shared)


def test_a_public_answer_has_no_send_and_a_private_one_can_be_cancelled(library: Library) -> None:
    chat = Chat(library)
    public, private = answered(chat, private=False), answered(chat, private=True)
    assert public.audience is Audience.EVERYONE and Button.SEND not in public.buttons
    assert keys(chat.press(public.token, "send", ALICE, HERE)) == ["refused.not_offered"]
    assert private.audience is Audience.ACTOR and {Button.SEND, Button.CANCEL} <= set(private.buttons)
    assert isinstance(chat.press(private.token, "cancel", ALICE, HERE), Removed)


def test_another_counts_against_the_pressers_cooldown_and_paging_does_not(library: Library) -> None:
    chat = Chat(library, cooldown=Cooldown.parse("2/30"))
    token = answered(chat, private=False).token  # Alice's first command
    replies = [chat.press(token, "another", BOB, HERE) for _ in range(4)]
    assert [isinstance(r, Answer) for r in replies] == [True, True, False, False]
    assert keys(replies[2]) == ["cooldown"]
    assert replies[2].messages[0].params["seconds"] >= 1  # type: ignore[union-attr]
    assert isinstance(chat.press(token, "next", ALICE, HERE), Answer)


def test_every_command_but_help_counts_against_the_cooldown(library: Library) -> None:
    chat = Chat(library, cooldown=Cooldown.parse("2/30"))
    assert isinstance(chat.ask("speakers", ALICE, HERE), Listing)
    assert isinstance(chat.ask("算力", ALICE, HERE), Answer)
    assert keys(chat.ask("random", ALICE, HERE)) == ["cooldown"]
    assert isinstance(chat.ask("help", ALICE, HERE), Help)
    assert isinstance(chat.ask("算力", BOB, HERE), Answer)  # Bob has his own
    assert isinstance(chat.ask("算力", ALICE, Place("other", "C1")), Answer)  # a user id is per platform


def test_next_and_prev_page_through_the_hits_in_place(library: Library) -> None:
    chat = Chat(library)
    first = answered(chat, private=False)
    assert first.page == (1, 5) and {Button.PREV, Button.NEXT} <= set(first.buttons)
    second = chat.press(first.token, "next", ALICE, HERE)
    assert isinstance(second, Answer) and second.page == (2, 5) and second.replaces
    assert second.card.quote.ref != first.card.quote.ref
    back = chat.press(first.token, "prev", ALICE, HERE)
    assert isinstance(back, Answer) and back.card.quote.ref == first.card.quote.ref


def test_another_under_a_private_answer_shuffles_the_preview_in_place(library: Library) -> None:
    chat = Chat(library)
    token = answered(chat, private=True, text="random").token
    fresh = chat.press(token, "another", ALICE, HERE)
    assert isinstance(fresh, Answer) and fresh.replaces and fresh.audience is Audience.ACTOR


def test_unknown_tokens_and_buttons_have_expired(library: Library) -> None:
    chat = Chat(library)
    token = answered(chat, private=False).token
    assert keys(chat.press("no-such-token", "another", ALICE, HERE)) == ["refused.expired"]
    assert keys(chat.press(token, "launch", ALICE, HERE)) == ["refused.expired"]


def test_no_match_under_a_filter_names_who_does_speak_of_it(library: Library) -> None:
    reply = Chat(library).ask("算力 speaker:林莱尼", ALICE, HERE)
    assert keys(reply) == ["no_match", "no_match.who_speaks"]
    assert " ".join(text(m) for m in reply.messages) == \
        "No quote matches '算力' speaker:林莱尼. 陈石, 马千里 speak of it."  # type: ignore[union-attr]
    assert " ".join(text(m, "zh_Hans") for m in reply.messages) == \
        "没有找到符合 '算力' speaker:林莱尼 的语录。 谈到它的有：陈石、马千里。"  # type: ignore[union-attr]


def test_unknown_names_come_back_with_the_closest_in_either_language(library: Library) -> None:
    reply = Chat(library).ask("算力 speaker:陈实", ALICE, HERE)
    assert keys(reply) == ["unknown.speaker", "unknown.closest"]
    assert isinstance(reply, Notice) and reply.error
    assert "陈石" in text(reply.messages[1], "zh_Hans")


def test_the_context_rule_shows_the_question_once(library: Library) -> None:
    reply = Chat(library).ask("context chen-shi-11", ALICE, HERE)
    assert isinstance(reply, ContextView)
    refs = [line.quote.ref for line in reply.lines]
    assert len(refs) == len(set(refs))
    assert reply.lines[0].is_question and sum(line.is_focus for line in reply.lines) == 1


def test_digest_commands_need_a_manager_and_store_the_panel_filter(library: Library, tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    chat = Chat(library, store=store)
    order = Command("digest", Query(topic="感受", panel="aigc-summit-2023-roundtable"),
                    digest=DigestOrder("subscribe", "08:30", "Etc/GMT+8"))
    assert keys(chat.run(order, ALICE, HERE)) == ["digest.not_allowed"]
    manager = Actor("U-alice", "zh_Hans", manages=True)
    assert keys(chat.run(order, manager, HERE)) == ["digest.subscribed"]
    sub = store.subscription("test", "C1")
    assert sub is not None and sub.panel == "aigc-summit-2023-roundtable" and sub.timezone == "Etc/GMT+8"
    assert sub.post_time == dt.time(8, 30)
    status = chat.ask("digest status", manager, HERE)
    assert "每天 08:30（Etc/GMT+8），话题 感受、圆桌 aigc-summit-2023-roundtable" in text(status.messages[0], "zh_Hans")  # type: ignore[union-attr]
    preview = chat.ask("digest preview", manager, HERE)
    assert isinstance(preview, Answer) and preview.note is not None and not preview.buttons
    assert keys(chat.ask("digest subscribe 25:00", manager, HERE)) == ["bad.time"]
    assert keys(chat.ask("digest unsubscribe", manager, HERE)) == ["digest.unsubscribed"]
    assert keys(Chat(library).ask("digest status", manager, HERE)) == ["digest.no_store"]


def test_context_counts_against_the_cooldown_and_paging_does_not(library: Library) -> None:
    chat = Chat(library, cooldown=Cooldown.parse("2/30"))
    token = answered(chat, private=False).token
    assert isinstance(chat.press(token, "context", ALICE, HERE), ContextView)
    assert keys(chat.press(token, "context", ALICE, HERE)) == ["cooldown"]
    assert isinstance(chat.press(token, "next", ALICE, HERE), Answer)


def test_a_shuffled_or_cancelled_preview_keeps_no_live_buttons(library: Library) -> None:
    chat = Chat(library)
    token = answered(chat, private=True, text="random").token
    fresh = chat.press(token, "another", ALICE, HERE)
    assert isinstance(fresh, Answer)
    assert keys(chat.press(token, "send", ALICE, HERE)) == ["refused.expired"]  # no second post from the old one
    assert isinstance(chat.press(fresh.token, "cancel", ALICE, HERE), Removed)
    assert keys(chat.press(fresh.token, "send", ALICE, HERE)) == ["refused.expired"]


def test_buttons_over_a_quote_a_reload_took_away_have_expired(write_panel: Any) -> None:
    import bot

    from .conftest import MINIMAL_PANEL

    path = write_panel(MINIMAL_PANEL.format(panel_id="p"))
    library = bot.load_library(path.parent, use_cache=False)
    chat = Chat(library)
    token = answered(chat, private=False, text="weaves").token
    path.write_text(MINIMAL_PANEL.format(panel_id="p").replace("id: q2", "id: q3"), encoding="utf-8")
    library.refresh(bot.load_library(path.parent, use_cache=False))
    assert keys(chat.press(token, "context", ALICE, HERE)) == ["refused.expired"]


def test_a_press_before_any_answer_says_so(library: Library) -> None:
    assert keys(Chat(library).press("", "next", ALICE, HERE)) == ["refused.nothing_yet"]


def test_lists_in_errors_are_joined_the_way_each_language_joins_them(library: Library) -> None:
    reply = Chat(library).ask("算力 speaker:lei", ALICE, HERE)  # 朱雷 and 金磊 both fit
    assert isinstance(reply, Notice)
    assert "、" in text(reply.messages[0], "zh_Hans") and ", " in text(reply.messages[0], "en")


def test_a_phrase_no_quote_says_is_answered_with_its_parts_and_says_so(library: Library) -> None:
    from bot import Actor, Answer, Chat, Place

    chat = Chat(library)
    whole = chat.ask("强化学习", Actor("U1"), Place("test", "C1"))
    assert isinstance(whole, Answer) and whole.note is None and whole.page is None  # only the quote that says it
    parts = chat.ask("强化训练", Actor("U1"), Place("test", "C1"))
    assert isinstance(parts, Answer) and parts.note is not None
    assert parts.note.key == "search.partial" and parts.note.params["phrases"] == ("强化训练",)
    paged = chat.press(parts.token, "next", Actor("U1"), Place("test", "C1"))
    assert isinstance(paged, Answer) and paged.note == parts.note  # kept while paging
