"""Topics from the moderator's questions, each labelled in the question's own language.

The label is the keyword a question names (“感受”, `our next topic is X`, 关键词叫做X); else a
short noun phrase from the question itself, preferring the words its answers take up.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .labels import is_han

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,30})[”\"」』]")
_NAMED_ZH = re.compile(r"(?:关键词|关键字|话题|主题)\S{0,3}?(?:叫做|叫|是|为)\s*([^，。？！,.?!；;]+)|"
                       r"(?:聊聊|谈谈|聊一聊|谈一谈|讨论一下|探讨一下)\s*([^，。？！,.?!；;您你我的]{2,10})[。，！!.,]")
_NAMED_EN = re.compile(r"(?:keyword|topic|theme|subject)\s+(?:is|will be|today is)\s+([^,.;:?!]+)|"
                       r"(?:let's|let us|we'll|we will|now)\s+(?:talk|turn|move on|come)\s+(?:about|to)\s+([^,.;:?!]+)",
                       re.IGNORECASE)
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*")
_EN_STOP = frozenset((
    "a an the and or but if then so as of to in on at by for with from about into over under between through after before "
    "during without within than that this these those there here what which who whom whose when where why how whether "
    "is are was were be been being am do does did doing done have has had having will would shall should can could may "
    "might must ought i me my mine we us our ours you your yours he him his she her hers it its they them their theirs "
    "one ones own self not no nor yes all any both each every few more most other some such only same too very just "
    "also even ever still already yet again now then today tonight tomorrow yesterday really actually maybe perhaps "
    "quite rather much many lot lots bit kind sort way thing things something anything everything nothing someone anyone "
    "everyone everybody people person let lets let's think thought say said tell told talk talking know knew known see "
    "saw seen want wanted mean means feel felt like look looking take took give gave get got go going went come came "
    "make made use used need needs happen happens change start started ask asked believe expect matter matters exist "
    "exists existed try tried put keep seem seems work works call called hear heard welcome thanks thank hello hi good "
    "morning afternoon evening ladies gentlemen great please okay ok well next last first second third final finally "
    "question questions topic topics panel panelists panellists audience everyone's today's let's we're you're it's "
    "that's what's i'm i'd i'll you'd you'll we'd we'll they're there's here's don't doesn't didn't isn't aren't "
    "can't won't shouldn't wouldn't couldn't yourself yourselves ourselves themselves himself herself itself "
    "up down out off away back over around right sure quick quickly briefly shortly important whole part "
    "makes gets goes says thinks wants means needs takes long far hard easy fast slow late early different "
    "differently year years time times day days week weeks month months lately recently").split())
_ZH_STOP = frozenset((
    "欢迎 大家 大家好 各位 嘉宾 老师 谢谢 感谢 今天 我们 你们 他们 问题 一下 请问 首先 其次 最后 下一个 接下来 然后 这个 那个 "
    "什么 怎么 如何 为什么 哪些 是否 觉得 认为 看法 看待 角度 方面 时候 现在 目前 一个 一些 这些 那些 自己 可能 应该 需要 "
    "关键词 话题 主题 环节 圆桌 分享 聊聊 谈谈 谈一谈 讲讲 简短 一句话 在座 您 你").split())


def named_keyword(question: str) -> str | None:
    """The keyword a question names: 关键词叫做X, 我们聊聊X, `our next topic is X`, else “X” in quotes;
    None when it names none."""
    if m := _NAMED_ZH.search(question):
        keyword = re.sub(r"(吗|呢|么)$", "", (m[1] or m[2]).strip().strip("“”\"「」『』"))
        rest = question[m.end():]
        # A keyword phrased as a question is often restated briefly: 大力一定会出奇迹吗？大力出奇迹…
        if len(keyword) > 4 and (short := re.search(re.escape(keyword[:2]) + r".{0,3}?" + re.escape(keyword[-2:]), rest)):
            keyword = short[0]
        return keyword
    if m := _NAMED_EN.search(question):
        words = (m[1] or m[2]).strip().split()
        while words and words[0].lower() in ("the", "a", "an", "our", "your"):
            words = words[1:]
        if 1 <= len(words) <= 5:
            return " ".join(words).strip("\"“”")
    if m := _QUOTED.search(question):
        return m[1].strip()
    return None


def _asked(question: str) -> str:
    """The sentences that ask something, without the greetings around them."""
    sentences = re.findall(r"[^.!?。！？\n]+[.!?。！？]*", question)
    asking = [s for s in sentences if re.search(r"[?？]|吗|呢", s)]
    return " ".join(asking or sentences or [question])


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    for suffix in ("ing", "ers", "ies", "es", "s", "ed", "er"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


_PRONOUNS = frozenset("you we they it i he she one".split())
_DETERMINERS = frozenset("the a an your our their his her its this that these those".split())
_AUXILIARIES = frozenset("should would could can will shall may might must do does did is are was were has have had".split())


def _as_written(word: str, question: str) -> str:
    """Lower case, unless the word is an acronym or a name (capitalised in mid-sentence)."""
    if word.isupper() and len(word) > 1:
        return word
    if word[0].isupper() and re.search(r"[\w,;:]\s+" + re.escape(word) + r"\b", question):
        return word
    return word.lower()


def _english_label(question: str, answers: str) -> str | None:
    """The noun phrase of the question that its answers take up most, longer phrases first.

    After an auxiliary the verb is dropped: "should governments pay" -> governments, "do you
    fund the maintenance" -> maintenance.
    """
    said = Counter(_stem(w) for w in _EN_WORD.findall(answers) if w.lower() not in _EN_STOP)
    best: tuple[float, int, str] | None = None
    for clause in re.split(r"[,;:()\"“”]|\s[-–—]\s", _asked(question)):
        run: list[str] = []
        state = mode = ""  # "" | "aux" (a subject may follow) | "aux+subject" (the verb comes next)
        for word in [*_EN_WORD.findall(clause), ""]:
            lower = word.lower().replace("’", "'")
            if word and lower not in _EN_STOP and len(word) > 1:
                mode = mode if run else state
                run.append(word)
                continue
            if run:
                phrase = run[1:] if mode == "aux+subject" else run[:-1] if mode == "aux" and len(run) > 1 else run
                if phrase:
                    phrase = phrase[-3:]
                    score = sum(2 * said[_stem(w)] for w in phrase) + 0.3 * len(phrase)
                    position = question.find(phrase[0])  # on a tie the later phrase: the object, not the subject
                    if best is None or (score, position) > best[:2]:
                        best = (score, position, " ".join(_as_written(w, question) for w in phrase))
                run, state = [], ""
            if lower in _AUXILIARIES:
                state = "aux"
            elif lower in _PRONOUNS and state.startswith("aux"):
                state = "aux+subject"  # "do you fund": the verb comes next
            elif lower not in _DETERMINERS or not state:
                state = ""  # after "did the", the noun comes first: "did the migration take"
    return best[2] if best else None


_ZH_ASKING = re.compile(r"[?？]|吗|呢|会不会|是不是|能不能|有没有|是否|怎么|如何|什么|哪|为什么|多少")


_HAN_OR_LATIN = re.compile(r"([\u3400-\u9fff]+)|([A-Za-z][A-Za-z0-9+#.-]*)")
_NOUNISH = frozenset(("n", "nz", "vn", "nr", "ns", "nt", "nrt", "eng", "j", "i", "s", "an"))


def _chinese_label(question: str, answers: str) -> str | None:
    """The noun phrase the question asks about.

    Runs of nouns (开源模型) weighted by how rare their words are, raised when they sit in the
    clause that asks (会不会, 吗, 怎么), first in it, or taken up by the answers. A verb that
    opens the asking clause is its subject: 出海最难的是什么.
    """
    from .wordclass import dictionary

    words_of = dictionary()
    best: tuple[float, str] | None = None
    for clause in re.split(r"[，,。；;：:！!？?\s]+", _asked(question)):
        asking = bool(_ZH_ASKING.search(clause))
        runs: list[list[str]] = []
        words = [(w, words_of.tags.get(w, "x")) for han, latin in _HAN_OR_LATIN.findall(clause)
                 for w in (words_of.cut(han) if han else [latin])]
        words = [(w, "eng" if w.isascii() else tag) for w, tag in words]
        for n, (word, flag) in enumerate(words):
            nounish = flag in _NOUNISH or (n == 0 and flag == "v" and len(words) > 1)
            if nounish and word not in _ZH_STOP and not word.startswith("最"):
                if runs and runs[-1] and n > 0 and words[n - 1][0] == runs[-1][-1]:
                    runs[-1].append(word)
                else:
                    runs.append([word])
            else:
                runs.append([])
        first = True
        for run in (r for r in runs if r):
            phrase = "".join(run)
            if len(phrase) < 2:
                continue
            weight = sum(words_of.rarity(w) for w in run) / len(run) ** 0.5
            weight *= (1.5 if asking else 1.0) * (1.3 if asking and first else 1.0)
            weight *= 1.2 if any(w in answers for w in run) else 1.0
            first = first and not asking
            if best is None or weight > best[0]:
                best = (weight, phrase)
    return best[1] if best else None


MAX_LABEL = 40  # characters


def label(question: str, answers: str, people: Sequence[str] = ()) -> str:
    """A short label for a moderator's question, in its language; never a greeting, a lone stop
    word or the name of someone on the panel ("David, what about policy?" is about policy)."""
    cleaned = _without_people(question, people)
    found = _label(cleaned, answers) or _opening_words(cleaned) or _opening_words(question) or "topic"
    letters = re.findall(r"[A-Za-z]", question)
    if len(letters) >= 12 and "".join(letters).isupper():
        found = found.lower()  # a question in capitals (captions) gives a label in plain case
    return found if len(found) <= MAX_LABEL else found[: MAX_LABEL - 1].rstrip() + "…"


_ADDRESS = "总|老师|校长|教授|博士|院长|先生|女士|主任|经理|董|主编|书记|部长|所长"


def _without_people(question: str, people: Sequence[str]) -> str:
    """The question with the panel's names taken out: 冯校长, David, Ms. Chen."""
    for person in sorted(people, key=len, reverse=True):
        if is_han(person) and len(person) >= 2:
            question = re.sub(rf"{re.escape(person)}|{re.escape(person[0])}(?:{_ADDRESS})", " ", question)
        else:
            for part in (p for p in re.split(r"[\s\-]+", person) if len(p) > 1):
                question = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", " ", question, flags=re.IGNORECASE)
    return question


def _label(question: str, answers: str) -> str | None:
    if keyword := named_keyword(question):
        return keyword
    chinese = len(re.findall(r"[\u3400-\u9fff]", question)) * 2 > len(re.findall(r"\w", question))
    found = _chinese_label(question, answers) if chinese or (is_han(question) and not _EN_WORD.search(question)) else \
        _english_label(question, answers)
    return found


def _opening_words(question: str) -> str:
    """The question's first words, cut at a word, when nothing in it makes a label."""
    asked = _asked(question).strip(" ，,。.；;：:")
    if is_han(asked):
        return asked[:12].rstrip("，。？！?!,.")
    words = asked.split()
    return " ".join(words[:6]).rstrip("?!.,;:") + ("…" if len(words) > 6 else "")


def shares_phrase(a: str, b: str) -> bool:
    """Whether two questions share a phrase: four Chinese characters, or two words that are not
    stop words ("What do you think" is how questions start, not what they are about)."""
    def grams(text: str) -> set[tuple[str, ...]]:
        units = re.findall(r"[\u4e00-\u9fff]|[A-Za-z0-9'’-]+", text.lower())
        if sum(len(u) == 1 and u > "\u4e00" for u in units) * 2 > len(units):
            return {tuple(units[i:i + 4]) for i in range(len(units) - 3)}
        content = [u for u in units if u not in _EN_STOP and len(u) > 2]
        return {tuple(content[i:i + 2]) for i in range(len(content) - 1)}

    return bool(grams(a) & grams(b))


_SOUND_CHECK = re.compile(r"hear me|hear us|see my screen|听得到|听得见|能听到|看得到我", re.IGNORECASE)


def is_prompt(text: str) -> bool:
    """Whether a moderator's turn asks for an answer: a question, or a prompt (请…谈一谈, tell us about)."""
    if _SOUND_CHECK.search(text):
        return False
    return bool(_PROMPT.search(text))


_PROMPT = re.compile(r"[?？]|吗|呢|请.{0,12}(?:谈|说|讲|聊|分享|介绍)|谈一谈|谈谈|说一说|聊一聊|讲一讲|分享一下|"
                     r"\b(?:tell us|talk (?:to us )?about|walk us through|describe|explain|share with us|give us|"
                     r"say (?:a|one) (?:word|sentence))\b", re.IGNORECASE)
