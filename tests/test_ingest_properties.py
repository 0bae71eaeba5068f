"""Generated panels written out in every format: each sentence comes back once, by whoever said it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.panels.ingest import Options, ingest

from .test_ingest import assert_said_exactly

NAMES_EN = ["Ana Lima", "Ben Carter", "Élodie Durand", "Seán O'Brien", "José Álvarez", "Mary-Kate Olsen", "Li Wei"]
NAMES_ZH = ["王芳", "赵强", "欧阳·娜扎", "陈一鸣", "林晓", "司马相如"]
WORDS_EN = ("data models open weights money teams people the a of for with and but we should build ship test "
            "before after every small large local public council budget grant reader radio").split()
PHRASES_ZH = ("大模型 算力 成本 客户 落地 开源 我们 觉得 还是 需要 时间 比如 市场 应用 技术 团队 数据 监管 未来 "
              "非常 重要 其实 已经 可以 不过 因为 所以 海外 价格").split()


@dataclass(frozen=True)
class Turn:
    name: str
    paragraphs: tuple[tuple[str, ...], ...]  # paragraphs of sentences


def _sentence_en(asking: bool) -> st.SearchStrategy[str]:
    words = st.lists(st.sampled_from(WORDS_EN), min_size=2, max_size=9)
    colon = st.booleans()

    def build(ws: list[str], with_colon: bool) -> str:
        text = " ".join(ws)
        if with_colon and len(ws) >= 3:  # "Our first question: how ..." is text, not a speaker
            text = " ".join(ws[:2]) + ": " + " ".join(ws[2:])
        return text[0].upper() + text[1:] + ("?" if asking else ".")

    return st.builds(build, words, colon)


def _sentence_zh(asking: bool) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(PHRASES_ZH), min_size=2, max_size=7).map(
        lambda ps: "，".join(["".join(ps[: len(ps) // 2]), "".join(ps[len(ps) // 2:])]) + ("？" if asking else "。"))


@st.composite
def panels(draw: st.DrawFn) -> tuple[str, list[Turn]]:
    language = draw(st.sampled_from(["en", "zh"]))
    names = draw(st.lists(st.sampled_from(NAMES_EN if language == "en" else NAMES_ZH), min_size=3, max_size=4, unique=True))
    sentence = _sentence_en if language == "en" else _sentence_zh
    turns: list[Turn] = []
    for _ in range(draw(st.integers(1, 3))):
        turns.append(Turn(names[0], ((draw(sentence(True)),),)))
        answering = draw(st.lists(st.sampled_from(names[1:]), min_size=1, max_size=3))
        for name in answering:
            if turns[-1].name == name:
                continue
            paragraphs = draw(st.lists(st.lists(sentence(False), min_size=1, max_size=3).map(tuple), min_size=1, max_size=3))
            turns.append(Turn(name, tuple(paragraphs)))
    return language, turns


def _sentences(turns: list[Turn]) -> list[tuple[str, str]]:
    return [(t.name, s) for t in turns for p in t.paragraphs for s in p]


def article(turns: list[Turn]) -> str:
    roster = f"Moderator: {turns[0].name}. Panelists: " + ", ".join(sorted({t.name for t in turns[1:]})) + ".\n\n"
    return roster + "".join(f"{t.name}: " + "\n".join(" ".join(p) for p in t.paragraphs) + "\n" for t in turns)


def bold_article(turns: list[Turn]) -> str:
    return "".join(f"**{t.name}：**\n\n" + "\n\n".join("".join(p) for p in t.paragraphs) + "\n\n" for t in turns)


def _timed(turns: list[Turn]) -> list[tuple[str, str, float, bool]]:
    """(speaker, sentence, start, first of its turn), a second and a half apart between paragraphs."""
    out, at = [], 0.0
    for t in turns:
        first = True
        for p in t.paragraphs:
            for s in p:
                out.append((t.name, s, at, first))
                first = False
                at += 1.0
            at += 2.0
    return out


def _clock(seconds: float, comma: bool) -> str:
    h, rest = divmod(int(seconds * 1000), 3_600_000)
    m, rest = divmod(rest, 60_000)
    return f"{h:02}:{m:02}:{rest // 1000:02}{',' if comma else '.'}{rest % 1000:03}"


def srt(turns: list[Turn]) -> str:
    cues = []
    for n, (name, s, at, first) in enumerate(_timed(turns), 1):
        words = s.split(" ")
        text = s if len(words) < 4 else " ".join(words[:2]) + "\n" + " ".join(words[2:])  # a two-line cue
        cues.append(f"{n}\n{_clock(at, True)} --> {_clock(at + 0.9, True)}\n" + (f"{name.upper()}: " if first else "") + text)
    return "\n\n".join(cues) + "\n"


def vtt(turns: list[Turn]) -> str:
    cues = [f"{_clock(at, False)} --> {_clock(at + 0.9, False)} align:start\n<v {name}>{s}</v>" for name, s, at, _ in _timed(turns)]
    return "WEBVTT\nKind: captions\n\n" + "\n\n".join(cues) + "\n"


def meeting(turns: list[Turn]) -> str:
    out, at = [], 0
    for t in turns:
        out.append(f"{t.name}  {at // 60}:{at % 60:02}\n" + "\n".join(" ".join(p) for p in t.paragraphs) + "\n")
        at += 17
    return "\n".join(out)


def asr_json(turns: list[Turn]) -> str:
    labels = {name: f"SPEAKER_{n:02}" for n, name in enumerate(dict.fromkeys(t.name for t in turns))}
    return json.dumps({"segments": [{"start": at, "end": at + 0.9, "speaker": labels[name], "text": f" {s}"}
                                    for name, s, at, _ in _timed(turns)]})


FORMATS: dict[str, Callable[[list[Turn]], str]] = {"article": article, "bold": bold_article, "srt": srt, "vtt": vtt,
                                                   "meeting": meeting, "json": asr_json}


@settings(max_examples=150, deadline=None)
@given(panel=panels(), fmt=st.sampled_from(list(FORMATS)))
def test_every_generated_sentence_is_quoted_once_by_its_speaker(panel: tuple[str, list[Turn]], fmt: str) -> None:
    _, turns = panel
    speakers = ()
    if fmt == "json":
        from bot.panels.ingest import SpeakerMap

        names = list(dict.fromkeys(t.name for t in turns))
        speakers = tuple(SpeakerMap(f"SPEAKER_{n:02}", name) for n, name in enumerate(names))
    result = ingest(FORMATS[fmt](turns), Options(panel_id="generated", speakers=speakers))
    assert_said_exactly(result.document, _sentences(turns))
    moderators = [s["name"] for s in result.document["speakers"] if s["role"] == "moderator"]
    assert moderators == [turns[0].name]
    if fmt in ("srt", "vtt", "json", "meeting"):
        assert all(isinstance(q.get("start"), (int, float)) for q in result.document["quotes"])
