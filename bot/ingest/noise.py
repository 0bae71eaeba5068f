"""What is in a transcript but was never said: sound descriptions, credits, promotion."""

from __future__ import annotations

import re

from .parsed import Parsed
from .timed import seconds

SOUND_WORDS = frozenset((
    "music applause laughter laughs laughing laugh inaudible crosstalk silence cheering cheers noise background "
    "coughs cough sighs sigh chuckles chuckle pause silence unintelligible indistinct foreign "
    "音乐 掌声 笑声 笑 鼓掌 静音 听不清 杂音 背景音乐 音效").split())
# [Music], (applause), ♪ la la ♪. Each bracket class excludes its own opener, so a line of a
# hundred thousand "(" is scanned once, not once per "(".
_BRACKETED = re.compile(r"\[[^\[\]]*\]|【[^【】]*】|♪[^♪]*♪?|♫[^♫]*♫?|（[^（）]*）|\([^()]*\)")
# `[00:00:09]` inside a line: an export's time mark, not speech.
INLINE_TIME = re.compile(r"[\[(]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]")
# Credits and promotion around a transcript: `Transcribed by https://otter.ai`, 字幕制作：…, 关注我们的公众号.
_CREDIT = re.compile(
    r"^\W*(?:字幕|翻译|校对|时间轴|压制|听译|后期|关注我们|关注公众号|扫码|本文来源|原文链接|更多精彩|未经授权|版权所有|转载请)|"
    r"(?:transcribed by|transcription by|transcript by|powered by|subtitles? by|captions? by|captioned by|"
    r"synced and corrected by|meeting ended|recording stopped|由\s*AI\s*生成|仅供参考)", re.IGNORECASE)


def is_credit(line: str) -> bool:
    """A short line crediting a tool or a team, or promoting something: never speech."""
    return len(line) <= 120 and bool(_CREDIT.search(line))


def names_a_sound(text: str) -> bool:
    """Whether words describe a sound rather than name a person: MUSIC PLAYING, Audience laughs."""
    inner = text.strip("[]【】()（）♪♫ ").casefold()
    return inner.strip(".,!?") in SOUND_WORDS or any(w.strip(".,!?;:") in SOUND_WORDS for w in inner.split())


def _is_sound(bracketed: str, any_square: bool) -> bool:
    return ((any_square and bracketed[0] == "[") or bracketed[0] in "♪♫" or not bracketed.strip("[]【】()（）♪♫ ")
            or names_a_sound(bracketed))


def without_sounds(text: str, *, any_square: bool = True) -> tuple[str, int]:
    """`text` without its sound descriptions, and how many there were.

    In captions anything in square brackets is one ([MUSIC PLAYING]); in an article a bracket
    may be the editor's clarification ("he [Smith] said"), so only sound words count there.
    """
    found = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal found
        if _is_sound(m[0], any_square):
            found += 1
            return " "
        return m[0]

    cleaned = _BRACKETED.sub(drop, text)
    return (re.sub(r"\s{2,}", " ", cleaned).strip(), found) if found else (text, 0)


def spoken(text: str, parsed: Parsed, *, any_square: bool) -> tuple[str, float | None]:
    """What a line says: inline time marks and sound descriptions counted in `parsed` and removed,
    with the first time mark's seconds (`Lena Park: [00:00:09] Cold email...`)."""
    start = None
    if marks := INLINE_TIME.findall(text):
        start = seconds(marks[0].strip("[]()"))
        parsed.dropped["time marks"] += len(marks)
        text = re.sub(r"\s{2,}", " ", INLINE_TIME.sub(" ", text)).strip()
    text, sounds = without_sounds(text, any_square=any_square)
    parsed.dropped["sound descriptions"] += sounds
    return text, start
