"""Quote cards: every shipped quote typeset in both sizes, drawn without a missing-glyph box, inside
the margins, broken by the rules of Chinese typography; the line breaker's rules as properties."""

from __future__ import annotations

import io
import itertools
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bot import Card, Library
from bot.quotecard import SIZES, QuoteImage
from bot.quotecard.breaking import NO_LINE_END, NO_LINE_START, atoms, break_lines, is_wide
from bot.quotecard.draw import PALETTES, draw, render_card_image
from bot.quotecard.fonts import CardFonts, NoCardFont, card_fonts, font, missing
from bot.quotecard.layout import MARGIN, CardLayout, lay_out


def cjk_fonts() -> CardFonts:
    """The installed CJK fonts. CI installs them (.ci/run): there a missing font fails, never skips."""
    try:
        return card_fonts()
    except NoCardFont as error:
        if os.environ.get("CI"):
            pytest.fail(f"{error} (.ci/run installs fonts-noto-cjk)")
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def fonts() -> CardFonts:
    return cjk_fonts()


def columns(text: str) -> float:
    """A stand-in for a font: wide characters take two columns, the rest one."""
    return sum(2 if is_wide(c) else 1 for c in text)


# -- the line breaker -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "width", "lines"), [
    ("我们有 200 万用户。", 6, ["我们有", "200 万", "用户。"]),
    ("每天创作接近 3000 万张图片", 14, ["每天创作接近", "3000 万张图片"]),
    ("基于开源 GPT4 模型", 12, ["基于开源", "GPT4 模型"]),
    ("第一个关键词叫“感受”，在这波热潮中", 16, ["第一个关键词叫", "“感受”，在这波", "热潮中"]),
    ("这是（括号）。", 6, ["这是", "（括", "号）。"]),
    ("New opportunities for AIGC", 14, ["New", "opportunities", "for AIGC"]),
])
def test_lines_break_by_the_rules_of_chinese_typography(text: str, width: int, lines: list[str]) -> None:
    assert [text[s:e] for s, e in break_lines(text, width, columns)] == lines


def test_a_run_wider_than_the_line_is_the_only_thing_cut() -> None:
    assert [t for s, e in break_lines("Supercalifragilistic", 8, columns) for t in ["Supercalifragilistic"[s:e]]] == \
        ["Supercal", "ifragili", "stic"]


def test_a_newline_forces_a_break() -> None:
    text = "第一行\n第二行"
    assert [text[s:e] for s, e in break_lines(text, 40, columns)] == ["第一行", "第二行"]


PIECES = st.sampled_from(["中", "国", "的", "用", "户", "数", "据", "万", "亿", "GPT4", "AIGC", "3000", "3.5", "a", "word",
                          " ", " ", "，", "。", "！", "？", "、", "）", "」", "”", "（", "「", "“", "…", "—", "%", "SD,"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join), st.integers(min_value=2, max_value=30))
def test_line_breaking_properties(text: str, width: int) -> None:
    lines = break_lines(text, width, columns)
    # Every character but the spaces at the breaks is on a line, in order.
    edges = [0, *[i for line in lines for i in line], len(text)]
    assert all(text[a:b].isspace() or a == b for a, b in zip(edges[::2], edges[1::2]))
    assert "".join(text[s:e] for s, e in lines).replace(" ", "") == text.replace(" ", "")
    for s, e in lines:
        assert text[s:e] == text[s:e].strip() and columns(text[s:e]) <= width
    # A break falls inside an unbreakable piece only when that piece is wider than a line.
    pieces = atoms(text)
    for (_, end), (start, _) in itertools.pairwise(lines):
        inside = [(a, b) for a, b in pieces if a < end < b or a < start < b]
        if inside:
            assert all(columns(text[a:b]) > width for a, b in inside)
            continue
        assert text[start] not in NO_LINE_START, (text, lines)
        assert text[end - 1] not in NO_LINE_END, (text, lines)
        for run in re.finditer(r"[A-Za-z0-9.,%]+|(?<![A-Za-z0-9.,%])[0-9][0-9.,]* ?[万亿]", text):  # GPT4, 3000 万
            assert not (run.start() < start < run.end()) or columns(run.group()) > width


# -- every shipped quote, in both sizes --------------------------------------------------------

BACKGROUND = PALETTES["light"].background


def layouts(library: Library, fonts: CardFonts, size: str) -> list[tuple[Card, CardLayout]]:
    found = []
    for quote in library.quotes:
        for language in ("zh_Hans", "en"):  # the original alone; with its English gloss beneath
            card = Card(quote, library.panel(quote.panel), language=language)
            found.append((card, lay_out(card, fonts, size)))
    return found


def test_every_shipped_quote_fits_whole_at_a_readable_size(library: Library, fonts: CardFonts) -> None:
    for size in SIZES:
        for card, layout in layouts(library, fonts, size):
            if card.gloss is None:  # the original alone is never cut, the longest included
                shown = "".join(run.text for run in layout.lines("quote"))
                assert re.sub(r"\s", "", shown) == re.sub(r"\s", "", card.quote.text)
                assert not layout.truncated and layout.quote_size >= 30
            elif layout.truncated:  # a long gloss may be cut: the card says so, and where the rest is
                assert layout.lines("gloss")[-1].text.endswith("…")
                assert "/quote context " + card.quote.ref in layout.lines("foot")[0].text


@pytest.mark.parametrize("size", list(SIZES))
def test_every_shipped_quote_is_drawn_inside_the_margins_without_boxes(library: Library, fonts: CardFonts,
                                                                       size: str) -> None:
    width, height = SIZES[size]
    for card, layout in layouts(library, fonts, size):
        text_runs = [run for run in layout.runs if run.role != "mark"]
        bottom = 0
        for run in text_runs:
            assert missing(run.face, run.text) == [], (card.quote.ref, run.text)
            real = font(run.face, run.size).getlength(run.text)
            left, top, _right, low = run.box
            assert left >= MARGIN and left + real <= width - MARGIN, (card.quote.ref, run.role, run.text)
            assert top >= MARGIN // 2 and low <= height - MARGIN // 2, (card.quote.ref, run.role)
            assert top >= bottom - 2, (card.quote.ref, run.role)  # lines follow one another without overlap
            bottom = top + run.size
        for role in ("quote", "gloss"):
            lines = [run.text for run in layout.lines(role)]
            assert not [line for line in lines[1:] if line[0] in NO_LINE_START], (card.quote.ref, lines)
            assert not [line for line in lines[:-1] if line[-1] in NO_LINE_END], (card.quote.ref, lines)
        assert [run.text for run in layout.lines("name")] == [card.speaker.name]
        assert [run.text for run in layout.lines("title")] == [card.title]
        assert card.panel.date and card.panel.date.isoformat() in " ".join(r.text for r in layout.lines("where"))


@pytest.mark.parametrize("size", list(SIZES))
def test_the_name_title_date_and_quote_are_really_painted(library: Library, fonts: CardFonts, size: str) -> None:
    for card, layout in layouts(library, fonts, size)[::2]:  # the Chinese cards
        image = draw(layout, "light")
        assert image.size == SIZES[size]
        for run in layout.runs:
            colours = image.crop(run.box).getcolors(maxcolors=100_000) or []
            assert any(colour != BACKGROUND for _, colour in colours), (card.quote.ref, run.role, run.text)


def test_highlighted_words_are_drawn_in_the_accent(library: Library, fonts: CardFonts) -> None:
    quote = library.quote("chen-shi-11")
    start = quote.text.index("算力")
    card = Card(quote, library.panel(quote.panel), ((start, start + 2),), "zh_Hans")
    layout = lay_out(card, fonts)
    marked = [run for run in layout.lines("quote") if run.marks]
    assert [run.text[s:e] for run in marked for s, e in run.marks] == ["算力"]
    colours = {colour for _, colour in draw(layout).getcolors(maxcolors=100_000) or []}
    assert PALETTES["light"].marker in colours and PALETTES["light"].accent in colours


def test_a_card_is_a_png_cached_per_quote_size_theme_language_and_highlight(library: Library, fonts: CardFonts) -> None:
    quote = library.quote("chen-shi-1")
    card = Card(quote, library.panel(quote.panel), language="zh_Hans")
    first = render_card_image(card, "portrait", "dark")
    assert isinstance(first, QuoteImage) and first.png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(first.png)).size == (1080, 1350) == (first.width, first.height)
    assert first.filename == "aigc-summit-2023-roundtable-chen-shi-1.png"
    assert first.alt.startswith(quote.text) and first.alt.endswith("陈石 · 峰瑞资本投资合伙人")
    assert render_card_image(Card(quote, library.panel(quote.panel), language="zh_Hans"), "portrait", "dark") is first
    others = [render_card_image(card, "square", "dark"), render_card_image(card, "portrait", "light"),
              render_card_image(Card(quote, card.panel, language="en"), "portrait", "dark"),
              render_card_image(Card(quote, card.panel, ((0, 2),), "zh_Hans"), "portrait", "dark")]
    assert len({id(image) for image in [first, *others]}) == 5


def test_a_quote_too_long_for_any_size_is_cut_and_says_where_the_rest_is(library: Library, fonts: CardFonts) -> None:
    import dataclasses

    quote = library.quote("ma-qian-li-6")
    long = dataclasses.replace(quote, text=quote.text * 3)
    layout = lay_out(Card(long, library.panel(quote.panel), language="zh_Hans"), fonts, "square")
    assert layout.truncated and layout.quote_size == 30
    assert layout.lines("quote")[-1].text.endswith("…")
    assert layout.lines("foot")[0].text == f"节选：全文见 /quote context {quote.ref}"


def test_a_gloss_too_long_for_the_card_is_cut_beneath_the_whole_quote(library: Library, fonts: CardFonts) -> None:
    import dataclasses

    quote = library.quote("ma-qian-li-6")
    long = dataclasses.replace(quote, text_en=(quote.text_en or "") * 2)
    layout = lay_out(Card(long, library.panel(quote.panel), language="en"), fonts, "square")
    assert layout.truncated and len(layout.lines("gloss")) >= 3 and layout.lines("gloss")[-1].text.endswith("…")
    assert re.sub(r"\s", "", "".join(r.text for r in layout.lines("quote"))) == re.sub(r"\s", "", quote.text)
    assert layout.lines("foot")[0].text == f"Excerpt: the full text is at /quote context {quote.ref}"


def test_a_font_without_chinese_is_refused_in_one_line(tmp_path: Path) -> None:
    latin = next(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"), None)
    if latin is not None:
        with pytest.raises(NoCardFont, match=r"^QUOTES_CARD_FONT='.*DejaVuSans.ttf': this font does not draw Chinese"):
            card_fonts({"QUOTES_CARD_FONT": str(latin)})
    with pytest.raises(NoCardFont, match=r"^QUOTES_CARD_FONT='.*nowhere.ttf': no such font file$"):
        card_fonts({"QUOTES_CARD_FONT": str(tmp_path / "nowhere.ttf")})
