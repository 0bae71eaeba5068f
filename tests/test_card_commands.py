"""Quote cards through the core's commands and buttons, the command line and the console: the Card
button obeys the rules every button does; `card ID` and `python -m bot card` write a PNG."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from bot import Actor, Chat, Cooldown, Library, Notice, Picture, Place
from bot.chat.catalogue import sentences
from bot.quotecard import fonts as card_fonts
from bot.terminal.console import Console

from .conftest import Ran
from .test_quotecard import cjk_fonts

ALICE, BOB = Actor("alice"), Actor("bob")
HERE = Place("test", "channel")


@pytest.fixture(autouse=True)
def _fonts() -> None:
    cjk_fonts()  # a missing font fails in CI and skips elsewhere


def said(reply: object) -> str:
    assert isinstance(reply, Notice), reply
    return sentences(reply.messages, "en")


def test_the_card_button_posts_the_quote_as_an_image_with_its_highlights(library: Library) -> None:
    chat = Chat(library)
    answer = chat.ask("算力 speaker:陈石", ALICE, HERE)
    assert "card" in [b.value for b in answer.buttons]  # type: ignore[union-attr]
    picture = chat.press(answer.token, "card", BOB, HERE)  # type: ignore[union-attr]  # a public answer: anyone
    assert isinstance(picture, Picture) and picture.by == "bob"
    assert picture.card.quote.ref == answer.card.quote.ref and picture.card.spans  # type: ignore[union-attr]
    assert picture.image.png.startswith(b"\x89PNG") and picture.image.alt.startswith(picture.card.quote.text)


def test_only_the_asker_may_press_card_under_a_private_answer(library: Library) -> None:
    chat = Chat(library)
    answer = chat.ask("奇瑞", ALICE, HERE, private=True)
    assert said(chat.press(answer.token, "card", BOB, HERE)) == "Only the person who asked can use this button."  # type: ignore[union-attr]
    assert isinstance(chat.press(answer.token, "card", ALICE, HERE), Picture)  # type: ignore[union-attr]


def test_card_counts_against_the_cooldown(library: Library) -> None:
    chat = Chat(library, cooldown=Cooldown.parse("1/30"))
    answer = chat.ask("奇瑞", ALICE, HERE)
    assert said(chat.press(answer.token, "card", ALICE, HERE)).startswith("Slow down a little")  # type: ignore[union-attr]


def test_card_typed_with_a_quote_id(library: Library) -> None:
    chat = Chat(library)
    picture = chat.ask("card chen-shi-2", Actor("alice", "en"), HERE)
    assert isinstance(picture, Picture) and picture.card.gloss  # an English reader: the gloss beneath
    assert said(chat.ask("card", ALICE, HERE)) == "card takes one quote id, like card panel/quote-id."
    assert said(chat.ask("card nobody-9", ALICE, HERE)).startswith("No quote")


def test_a_font_that_cannot_draw_chinese_is_one_line_not_boxes(library: Library, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.setenv("QUOTES_CARD_FONT", str(tmp_path / "nowhere.ttf"))
    assert said(Chat(library).ask("card chen-shi-2", ALICE, HERE)) == \
        "Quote cards are off: the font QUOTES_CARD_FONT names cannot draw them."


# -- the command line and the console -------------------------------------------------------------

def test_the_card_command_writes_the_png(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    target = tmp_path / "card.png"
    done = cli_main("card", "ma-qian-li-6", "-o", str(target), "--size", "portrait", "--theme", "dark", "--lang", "en")
    assert done.code == 0 and done.out == f"{target}\n" and done.err == ""
    assert Image.open(io.BytesIO(target.read_bytes())).size == (1080, 1350)


@pytest.mark.parametrize(("args", "error"), [
    (["card", "nobody-9"], "python -m bot: error: unknown quote 'nobody-9'"),
    (["card", "chen-shi-2", "-o", "/proc/no/card.png"], "python -m bot: error: --output /proc/no/card.png: cannot write"),
    (["card", "chen-shi-2", "--size", "huge"], "python -m bot card: error: argument --size: invalid choice: 'huge'"),
    (["card", "chen-shi-2", "--theme", "sepia"], "python -m bot card: error: argument --theme: invalid choice: 'sepia'"),
])
def test_bad_card_options_are_one_line(args: list[str], error: str, cli_main: Callable[..., Ran]) -> None:
    done = cli_main(*args)
    assert done.code == 2 and done.err.startswith(error) and done.err.count("\n") == 1 and done.out == ""


def test_the_console_saves_cards_and_says_where(library: Library, tmp_path: Path) -> None:
    console = Console(library, env={"QUOTES_CACHE_DIR": str(tmp_path)})
    typed = console.answer("/card chen-shi-2")
    path = tmp_path / "cards" / "aigc-summit-2023-roundtable-chen-shi-2.png"
    assert typed == f"Card saved: {path}" and path.read_bytes().startswith(b"\x89PNG")
    console.answer("奇瑞")
    pressed = console.answer("/card")  # the button under the last answer, typed
    assert pressed.startswith(f"Card saved: {tmp_path / 'cards'}") and "/card" in console.answer("奇瑞")


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A machine with no CJK font: no fontconfig on PATH, nothing at Noto's usual places."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(card_fonts, "KNOWN", ())
    card_fonts._discover.cache_clear()
    yield
    card_fonts._discover.cache_clear()


def test_check_warns_in_one_line_when_no_font_draws_chinese(no_cjk_font: None, tmp_path: Path,
                                                            cli_main: Callable[..., Ran]) -> None:
    done = cli_main("check", env={"QUOTES_STATE_DIR": str(tmp_path), "DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "",
                                  "SLACK_APP_TOKEN": "", "DATABASE_URL": "", "QUOTES_CARD_FONT": ""})
    warning = [line for line in done.err.splitlines() if line.startswith("warning:")]
    assert warning == ["warning: no font that draws Chinese is installed, so quote cards are off: install "
                       "fonts-noto-cjk (Debian, Ubuntu) or set QUOTES_CARD_FONT to a .ttf/.otf/.ttc that has Chinese"]
    assert done.code == 0  # cards are one feature among many: the bot still starts


def test_check_names_a_bad_card_font(tmp_path: Path, cli_main: Callable[..., Ran]) -> None:
    done = cli_main("check", env={"QUOTES_STATE_DIR": str(tmp_path), "DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "",
                                  "SLACK_APP_TOKEN": "", "DATABASE_URL": "", "QUOTES_CARD_FONT": "fonts/none.ttf"})
    assert done.code == 1 and done.out == "QUOTES_CARD_FONT='fonts/none.ttf': no such font file\n"
