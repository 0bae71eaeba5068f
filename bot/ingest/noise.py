"""What is in a transcript but was never said: sound descriptions, credits, promotion."""

from __future__ import annotations

import re

SOUND_WORDS = frozenset((
    "music applause laughter laughs laughing laugh inaudible crosstalk silence cheering cheers noise background "
    "coughs cough sighs sigh chuckles chuckle pause silence unintelligible indistinct foreign "
    "音乐 掌声 笑声 笑 鼓掌 静音 听不清 杂音 背景音乐 音效").split())
# [Music], (applause), ♪ la la ♪. Each bracket class excludes its own opener, so a line of a
# hundred thousand "(" is scanned once, not once per "(".
_BRACKETED = re.compile(r"\[[^\[\]]*\]|【[^【】]*】|♪[^♪]*♪?|♫[^♫]*♫?|（[^（）]*）|\([^()]*\)")
# Credits and promotion around a transcript: `Transcribed by https://otter.ai`, 字幕制作：…, 关注我们的公众号.
CREDIT = re.compile(
    r"^\W*(?:transcribed by|transcription by|transcript by|powered by|subtitles? by|captions? by|captioned by|"
    r"synced and corrected by|字幕|翻译|校对|时间轴|压制|听译|后期|关注我们|关注公众号|扫码|本文来源|原文链接|更多精彩|"
    r"未经授权|版权所有|转载请)", re.IGNORECASE)


def _is_sound(bracketed: str) -> bool:
    inner = bracketed.strip("[]【】()（）♪♫ ").casefold()
    return bracketed[0] in "[♪♫" or not inner or inner in SOUND_WORDS or any(w in SOUND_WORDS for w in inner.split())


def without_sounds(text: str) -> tuple[str, int]:
    """`text` without its sound descriptions, and how many there were."""
    found = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal found
        if _is_sound(m[0]):
            found += 1
            return " "
        return m[0]

    cleaned = _BRACKETED.sub(drop, text)
    return (re.sub(r"\s{2,}", " ", cleaned).strip(), found) if found else (text, 0)
