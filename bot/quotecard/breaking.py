"""Line breaking for quote cards by the rules of Chinese typography (禁则), as pure functions.

A line may break between two Chinese characters, and at a space; never inside a run of Latin
letters and digits (`GPT4`, `3.5%`), never between a number and the unit after it (`3000 万`),
never before closing punctuation (`，。）」”`) and never after opening punctuation (`（「“`).
Only a single unbreakable piece wider than the whole line is cut, character by character.

UAX #14 (as in uniseg) was the other candidate: it breaks `3000 万` at its space and knows
nothing of units, and its rules for the quotation marks “” differ from Chinese practice; the
rules here are the handful a Chinese reader checks, each tested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

# Characters that may not begin a line: closing punctuation, pauses and stops, full and half width.
NO_LINE_START = frozenset("，。！？；：、）」』”’》〉】〕］｝．…—～·%‰,.!?;:)]}>")
# Characters that may not end a line: opening punctuation.
NO_LINE_END = frozenset("（「『“‘《〈【〔［｛([{<")
# Units that stay with the number before them, a space between or not: 3000 万, 200万.
NUMBER_UNITS = frozenset("万亿千百兆")
Line = tuple[int, int]  # (start, end) offsets into the text
Measure = Callable[[str], float]


def is_wide(char: str) -> bool:
    """A character that stands alone in Chinese text: ideographs, kana, Hangul, full-width forms
    and CJK punctuation. Everything else (Latin, digits, ASCII punctuation) forms runs."""
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFE30 <= code <= 0xFE4F or 0xFF00 <= code <= 0xFF60 or 0x20000 <= code <= 0x3FFFF
            or char in "“”…—·")


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    """Spaces, runs of narrow characters, and single wide characters, as (start, end)."""
    at, n = 0, len(text)
    while at < n:
        char = text[at]
        end = at + 1
        if char.isspace():
            while end < n and text[end].isspace() and text[end] != "\n" and char != "\n":
                end += 1
        elif not is_wide(char):
            while end < n and not text[end].isspace() and not is_wide(text[end]):
                end += 1
        yield at, end
        at = end


def atoms(text: str) -> list[tuple[int, int]]:
    """The pieces no line may break inside, as (start, end): a space run is an atom of its own
    (a break opportunity, dropped at a line's edges); a newline is an atom that forces a break."""
    found: list[list[int]] = []
    glue_next = False  # the last atom ends with opening punctuation: what follows stays with it

    def glue(start: int, end: int) -> None:
        if text[found[-1][0]:found[-1][1]].isspace():
            if len(found) < 2 or text[found[-2][0]] == "\n":
                found.append([start, end])  # nothing before the space to keep it with
                return
            found.pop()  # `AI ，`: the space before it joins too, or the line could start with it
        found[-1][1] = end

    for start, end in _pieces(text):
        piece = text[start:end]
        if piece == "\n":
            found.append([start, end])
            glue_next = False
        elif piece.isspace():
            if found and (glue_next or (_is_number(text[found[-1][0]:found[-1][1]])
                                        and text[end:end + 1] in NUMBER_UNITS)):
                found[-1][1] = end  # `“ GPT` and `3000 万` do not break at their space
            else:
                found.append([start, end])
        elif found and text[found[-1][0]] != "\n" and (
                glue_next or piece[0] in NO_LINE_START
                or (piece[0] in NUMBER_UNITS and _is_number(text[found[-1][0]:found[-1][1]].rstrip()))):
            glue(start, end)
            glue_next = piece[-1] in NO_LINE_END
        else:
            found.append([start, end])
            glue_next = piece[-1] in NO_LINE_END
    return [(s, e) for s, e in found]


def _is_number(piece: str) -> bool:
    """`3000`, `1,000`, `3.5`: digits, perhaps with separators, ending in a digit."""
    return bool(piece) and piece[-1].isdigit() and all(c.isdigit() or c in ",." for c in piece.lstrip("+-"))


def break_lines(text: str, width: float, measure: Measure) -> list[Line]:
    """Cut `text` into lines no wider than `width` (as `measure` counts), as (start, end) offsets
    without the spaces at the break; greedy, which is how Chinese is set.

    >>> break_lines("我们有 200 万用户。", 6, len)
    [(0, 3), (4, 10), (10, 12)]
    """
    lines: list[Line] = []
    start = end = -1  # the current line, without trailing spaces; -1 when nothing is on it yet
    used = 0.0
    for a, b in atoms(text):
        piece = text[a:b]
        if piece == "\n":
            if start >= 0:
                lines.append((start, end))
            start = end = -1
            used = 0.0
            continue
        if piece.isspace():
            continue  # counted with the next atom on the same line, dropped at a break
        b = a + len(piece.rstrip())  # `（ ` at the very end: its space is no part of the line
        piece = text[a:b]
        gap = measure(text[end:a]) if start >= 0 else 0.0
        size = measure(piece)
        if start >= 0 and used + gap + size <= width:
            end, used = b, used + gap + size
            continue
        if start >= 0:
            lines.append((start, end))
        if size <= width:
            start, end, used = a, b, size
            continue
        for s, e in _cut(text, a, b, width, measure)[:-1]:  # wider than any line: cut where it must be
            lines.append((s, e))
        start, end = _cut(text, a, b, width, measure)[-1]
        used = measure(text[start:end])
    if start >= 0:
        lines.append((start, end))
    return lines


def _cut(text: str, a: int, b: int, width: float, measure: Measure) -> list[Line]:
    """One atom wider than a line, cut into pieces that fit (at least one character each)."""
    pieces, start, used = [], a, 0.0
    for i in range(a, b):
        size = measure(text[i])
        if i > start and used + size > width:
            pieces.append((start, i))
            start, used = i, 0.0
        used += size
    pieces.append((start, b))
    trimmed = [(s + len(text[s:e]) - len(text[s:e].lstrip()), e - len(text[s:e]) + len(text[s:e].rstrip()))
               for s, e in pieces]
    return [(s, e) for s, e in trimmed if s < e]  # no line of spaces alone
