"""What a button press may do, decided once for every front end."""

from __future__ import annotations

import pytest

from bot.chat.command import Query
from bot.chat.conversation import Conversations
from bot.chat.cooldown import Cooldown
from bot.library import Library

ALICE, BOB = "U-alice", "U-bob"


def _answered(library: Library, *, private: bool, cooldown: str = "off") -> tuple[Conversations, str]:
    talk = Conversations(library, Cooldown.parse(cooldown))
    answered = talk.answer("C1", ALICE, Query("大模型"), private=private)
    assert answered is not None
    return talk, answered[1]


@pytest.mark.parametrize(("button", "private", "bob_may"), [
    ("next", False, False), ("prev", True, False), ("send", True, False), ("post", True, False),
    ("cancel", True, False), ("context", True, False), ("context", False, True),
    ("another", True, True), ("another", False, True),
])
def test_who_may_press_each_button(library: Library, button: str, private: bool, bob_may: bool) -> None:
    talk, token = _answered(library, private=private)
    assert talk.press(token, BOB, button).verdict == ("ok" if bob_may else "not_yours")
    assert talk.press(token, ALICE, button).verdict == "ok"


@pytest.mark.parametrize("button", ["send", "post"])
def test_send_and_post_work_once_unless_sending_failed(library: Library, button: str) -> None:
    talk, token = _answered(library, private=True)
    assert [talk.press(token, ALICE, button).verdict for _ in range(3)] == ["ok", "already_sent", "already_sent"]
    talk.unsend(token)
    assert talk.press(token, ALICE, button).verdict == "ok"


def test_another_counts_against_the_pressers_cooldown(library: Library) -> None:
    talk, token = _answered(library, private=False, cooldown="2/30")
    verdicts = [talk.press(token, BOB, "another").verdict for _ in range(5)]
    assert verdicts == ["ok", "ok", "cooldown", "cooldown", "cooldown"]
    assert talk.press(token, BOB, "another").wait > 0
    assert talk.press(token, ALICE, "next").verdict == "ok"  # paging is no new answer


def test_an_unknown_token_has_expired(library: Library) -> None:
    talk, _ = _answered(library, private=False)
    assert talk.press("no-such-token", ALICE, "send").verdict == "expired"
