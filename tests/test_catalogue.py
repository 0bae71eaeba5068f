"""Every reply exists in every language: no key missing, no parameter lost, every key the code uses known."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.chat.catalogue import LANGUAGES, keys, language_of, text
from bot.chat.replies import message

ROOT = Path(__file__).resolve().parents[1]
# message("key"...), msg keys built as f"prefix.{...}" are checked through their prefixes below
USED = re.compile(r"""message\(\s*f?["']([a-z_.]+)["']""")
PREFIXED = re.compile(r"""message\(\s*f["']([a-z_]+\.)\{""")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_every_key_with_the_same_parameters() -> None:
    english = keys("en")
    for language in LANGUAGES:
        found = keys(language)
        assert set(found) == set(english), (language, sorted(set(english) ^ set(found)))
        for key, forms in found.items():
            assert all(forms), (language, key, "is empty")
            assert all(fields(form) <= fields(english[key][0]) | {"count"} for form in forms), (language, key)
            assert fields(english[key][0]) <= set().union(*(fields(f) for f in forms)), (language, key)


def test_every_key_the_code_asks_for_is_in_the_catalogue() -> None:
    known = set(keys("en"))
    used, prefixes = set(), set()
    for file in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("adapters/**/*.py")]:
        source = file.read_text(encoding="utf-8")
        used |= {k for k in USED.findall(source) if not k.endswith(".")}
        prefixes |= set(PREFIXED.findall(source))
    assert used - known == set()
    assert len(used) > 40
    for prefix in prefixes:  # button.{...}, unknown.{kind}, list.{kind}, column.{name}, share.{reason}, slash.{name}
        assert any(k.startswith(prefix) for k in known), prefix


@pytest.mark.parametrize("key", ["button.another", "button.context", "button.prev", "button.next", "button.send",
                                 "button.cancel", "unknown.speaker", "unknown.topic", "unknown.panel", "unknown.quote",
                                 "ambiguous.speaker", "list.speakers", "list.topics", "list.panels", "share.closed",
                                 "share.not_in_channel", "share.channel_not_found", "share.archived"])
def test_keys_built_at_run_time_exist(key: str) -> None:
    for language in LANGUAGES:
        assert key in keys(language)


def test_a_missing_key_is_an_error_not_a_silent_key() -> None:
    from bot.chat.catalogue import MissingMessage

    with pytest.raises(MissingMessage):
        text(message("no.such.key"))


@pytest.mark.parametrize(("tag", "language"), [
    ("zh-CN", "zh_Hans"), ("zh-TW", "zh_Hans"), ("zh_CN.UTF-8", "zh_Hans"), ("en-GB", "en"), ("en-US", "en"),
    ("C", "en"), ("C.UTF-8", "en"), ("fr", "en"), ("", "en"), (None, "en"), ("not a locale!", "en"),
])
def test_platform_and_shell_locales_pick_a_catalogue(tag: str | None, language: str) -> None:
    assert language_of(tag) == language


def test_parameters_are_escaped_and_plurals_follow_the_count() -> None:
    names = ("<@U1>", "陈石")
    english = text(message("no_match.who_speaks", count=2, names=names), "en", escape=lambda s: s.replace("<", "&lt;"))
    assert english == "&lt;@U1>, 陈石 speak of it."
    assert text(message("no_match.who_speaks", count=1, names=("陈石",))) == "陈石 speaks of it."
    assert text(message("no_match.who_speaks", count=2, names=names), "zh_Hans") == "谈到它的有：<@U1>、陈石。"


def test_keys_used_with_a_count_have_plural_forms() -> None:
    counted = set()
    for file in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("adapters/**/*.py")]:
        counted |= set(re.findall(r"""message\(\s*f?["']([a-z_.]+)["'],\s*count=""", file.read_text(encoding="utf-8")))
    english = keys("en")
    assert counted and all(len(english[key]) == 2 for key in counted if not key.endswith(".")), counted
