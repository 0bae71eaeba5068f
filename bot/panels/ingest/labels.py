"""What a speaker label at the start of a line looks like, and how a person's name is shown."""

from __future__ import annotations

import functools
import re
import unicodedata

HAN = r"\u3400-\u9fff\uf900-\ufaff"
CJK = r"\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"  # kana, Han, Hangul
_CJK_NAME = re.compile(rf"^[{CJK}]{{1,8}}(?:[·•・‧][{CJK}]{{1,8}}){{0,3}}$")
_SPACED_HAN = re.compile(rf"^[{HAN}]{{1,2}}(?: [{HAN}]{{1,2}}){{1,2}}$")  # 王 芳, 欧阳 娜娜
# Labels that stand for whoever holds a role; the first group moderates.
MODERATOR_ROLES = frozenset(("moderator host cohost interviewer chair chairman chairwoman chairperson q question "
                             "问 主持人 主持 记者 司会 사회자 진행자").split())
OTHER_ROLES = frozenset(("interviewee guest panelist panellist speaker audience audiencemember member questioner "
                         "presenter narrator caller reporter participant respondent a answer 答 嘉宾 观众 提问者 提问 听众 "
                         "回答 登壇者 질문자 패널").split())
# Labels a machine or a meeting app gives: 说话人 1, SPEAKER_00, Speaker 2, Spk1, Unknown Speaker.
_SUFFIX = r"(?:[\s_-]+[A-Za-z]|[\s_-]*[0-9]{1,4})?"  # Speaker B, Guest 2, SPEAKER_00, 说话人1
_MACHINE = re.compile(rf"^(?:说话人|发言人|讲话人|发言者|参会人|用户|spk|speaker|person|voice|unknown speaker|unknown){_SUFFIX}$",
                      re.IGNORECASE)
_NUMBERED = re.compile(rf"^(?:the\s+)?(?P<role>.+?){_SUFFIX}$", re.IGNORECASE)
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_LATIN_NAME = r"[A-Za-z][\w'’.\- ]{1,40}"
_MIXED_SCRIPTS = re.compile(rf"^(?:(?P<latin>{_LATIN_NAME}?)\s+[{HAN}]{{2,4}}|[{HAN}]{{2,4}}\s+(?P<latin2>{_LATIN_NAME}))$")
# Labels that introduce people before the talk and never speak: `Panelists: A, B and C`.
INTRO_ONLY = re.compile(
    r"^(?:moderators|hosts|hosted by|moderated by|panel|panell?ists|speakers|guests|participants|with|featuring|"
    r"on stage|on the panel|in attendance|对话嘉宾|圆桌嘉宾|与会嘉宾|参会人员|参会者|参与者|发言嘉宾|演讲嘉宾|出席|出席嘉宾|"
    r"登壇者|出演者|出演|패널|참석자|嘉宾介绍|嘉宾简介|人物介绍|发言嘉宾介绍|about the (?:panel|panelists|speakers)|"
    r"the panel|our panel|panel members|speaker bios|bios)$", re.IGNORECASE)


def role(label: str) -> str | None:
    """"moderator" for a label standing for whoever moderates (Host, 主持人, Q, THE CHAIR), "other" for
    another role (Guest, Panelist 2, Audience member), None for a name or a machine's label."""
    m = _NUMBERED.match(label.strip())
    key = compact(m["role"]) if m else ""
    if key.startswith("the"):
        key = key[3:]
    if key in MODERATOR_ROLES:
        return "moderator"
    return "other" if key in OTHER_ROLES else None


def is_roster_label(label: str) -> bool:
    """`Moderator:`, `嘉宾：`, `Panelists:`: a label that may open a line introducing people."""
    return bool(INTRO_ONLY.match(label.strip())) or role(label) is not None


_PARTICLES = frozenset("de da di do del della der den des van von la las le los du dos das bin binti ibn al el y e "
                       "ter ten te zu ap mac st".split())
# Two-character surnames: a four-character Chinese label starting with one is a name (欧阳娜娜).
_COMPOUND_SURNAMES = frozenset("欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 "
                               "西门 百里 呼延 万俟 申屠 太史 闻人 澹台 公冶 赫连".split())
# `(she/her)` after a name in Zoom and Teams exports.
PRONOUNS = re.compile(r"\s*[(（\[]\s*(?:she|he|they|ze|xe|ey|it)\s*/\s*\w+(?:\s*/\s*\w+)?\s*[)）\]]", re.IGNORECASE)
_TITLE_AFTER = re.compile(r"^(?P<name>[^()（）]{1,60}?)\s*[(（](?P<title>[^()（）]{1,80})[)）]$")
# Line openers followed by a colon that are never a person.
_NOT_NAMES_EN = frozenset((
    "note notes update example examples for source sources image images photo photos picture caption credit credits "
    "translation translated summary transcript date time location venue place title event topic topics agenda "
    "warning disclaimer correction editor edit edited tags tag keywords keyword link links url video audio recording "
    "read more also see via re fw subject from to cc step tip tips pros cons background context bio who what when "
    "where why how yes no ok okay well so and but or first second third finally today tomorrow yesterday now "
    "here there this that these those it its he she they we you i my our your their his her the a an "
    "important update answer question questions result results conclusion overview introduction intro outro "
    "chapter part section episode watch listen subscribe follow share contact email phone tel website web"
).split())
_NOT_NAMES_ZH = frozenset((
    "比如 例如 譬如 比方说 比方 举个例子 举例 总结 总之 总而言之 第一 第二 第三 第四 首先 其次 然后 最后 另外 还有 注意 提示 "
    "原因 结论 结果 问题 问题是 也就是说 就是说 换句话说 一是 二是 三是 包括 如下 以下 其中 即 为此 所以 因此 但是 不过 关键词 "
    "关键是 重点 核心 标题 来源 图片 图片来源 图源 编者注 编者按 注 时间 地点 日期 主题 话题 备注 简介 背景 链接 原文 原文链接 "
    "作者 编辑 责编 整理 校对 摄影 附 附录 参考 提问 回答 观点 摘要 导语 文章 本文 视频 音频 录音 会议 会议主题 会议时间 "
    "关键字 字幕 说明 声明 免责声明 特别声明 我 你 他 她 我们 你们 他们 大家 各位 会议号 会议链接 会议地点 记录人 记录 "
    "纪要 会议纪要 短期看 长期看 短期 长期 优点 缺点 优势 劣势 机会 挑战 风险 前者 后者 一方面 另一方面 目标 方法 现状 建议 "
    "答案 第一点 第二点 第三点 结论是 反过来 同时 此外 最终 目前 未来 过去 现在 今天 明天 背景是 推荐阅读 往期推荐 相关阅读"
).split())
# Characters a Chinese sentence fragment has and a name almost never does.
_FUNCTION_HAN = frozenset("的了吗呢吧啊么们这那是在说道问讲我你他她它就都也还把被很得第")


@functools.lru_cache(maxsize=65_536)
def compact(label: str) -> str:
    """A label's identity: case, width, accents, spaces, dashes and dots folded (说话人 1 = 说话人1, José = JOSE)."""
    decomposed = unicodedata.normalize("NFKD", label)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s_\-·•・‧.]+", "", unicodedata.normalize("NFKC", plain)).casefold()


def is_machine_label(label: str) -> bool:
    """说话人 1, SPEAKER_00, Speaker 2: what diarization or a meeting app calls a voice."""
    return bool(_MACHINE.match(label.strip()))


def is_generic(label: str) -> bool:
    """Whether a label stands in for a person instead of naming one: 说话人 1, SPEAKER_00, Guest, Q."""
    return bool(_MACHINE.match(label.strip())) or role(label) is not None


def is_han(text: str) -> bool:
    return bool(re.search(f"[{HAN}]", text))


def name_shape(label: str) -> str | None:
    """How much `label` looks like a person's name: "strong", "weak", or None for not at all.

    Strong: two or more capitalised words (Élodie Durand, Seán O'Brien), a Chinese name of
    two to four characters without sentence particles, a generic or role label. Weak: one
    capitalised word, an all-lower name, or a longer Chinese run; it counts when it recurs.
    """
    label = label.strip()
    if not label or len(label) > 40:
        return None
    if is_machine_label(label):
        return "strong"
    if role(label):
        # Panelist 2 names one person; Host: or QUESTION: once is as often a heading as a turn
        return "strong" if re.search(r"(?:\d{1,4}|\s[A-Z])$", label.strip()) else "weak"
    if mixed := _MIXED_SCRIPTS.match(label):  # Lisa Wang 王丽莎, 王丽莎 Lisa Wang
        latin = (mixed["latin"] or mixed["latin2"]).strip()
        return "strong" if name_shape(latin) == "strong" else None
    if _SPACED_HAN.match(label):
        label = label.replace(" ", "")
    if _CJK_NAME.match(label):
        if _KANA_HANGUL.search(label):  # Hangul and kana: 이지은, ジョン・スミス, 山田さん
            return "strong" if len(label) <= 6 or "・" in label else "weak"
        if label in _NOT_NAMES_ZH or label.endswith(("说", "道", "问", "讲", "称", "表示", "认为", "指出", "提到")):
            return None
        if any(c in _FUNCTION_HAN for c in label):
            return "weak"
        if "·" in label or 2 <= len(label) <= 3 or (len(label) == 4 and label[:2] in _COMPOUND_SURNAMES):
            return "strong"
        return "weak"  # 技术层面, 商业模式: four characters are a phrase more often than a name
    words = label.split()
    if not 1 <= len(words) <= 6 or words[0].casefold() in _NOT_NAMES_EN:
        return None
    capitalised = 0
    for n, word in enumerate(words):
        if not re.fullmatch(r"[^\W\d_][\w'’.\-]*", word) or re.search(r"\d", word):
            return None
        if word[0].isupper() or (len(word) > 1 and word[1].isupper()):  # iPad, iPhone: Zoom names devices
            capitalised += 1
        elif (n == 0 or word.casefold() not in _PARTICLES) and not label.islower():
            return None
    if label.islower():
        return "weak"
    return "strong" if capitalised >= 2 else "weak"


def split_label(label: str) -> tuple[str, str]:
    """A label's name and the title it carries: `王芳（星河科技 CEO）`, `Sanjay Gupta (Contoso)`;
    pronouns such as `(she/her)` are dropped."""
    label = PRONOUNS.sub("", label).strip()
    if _SPACED_HAN.match(label):
        label = label.replace(" ", "")
    if m := _TITLE_AFTER.match(label):
        name, title = m["name"].strip(), m["title"].strip()
        if role(name) and name_shape(title) == "strong" and not role(title):
            return title, ""  # Moderator (Jane Doe): the person, whose role the reader records
        return name, title
    return label, ""


def display_name(label: str) -> str:
    """A name as people write it: JANE O'BRIEN-SMITH -> Jane O'Brien-Smith; others unchanged."""
    if is_han(label) or not (label.isupper() or label.islower()) or is_machine_label(label):
        return label
    return re.sub(r"[^\W\d_]+", lambda m: m[0].capitalize(), label.lower())
