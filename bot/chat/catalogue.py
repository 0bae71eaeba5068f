"""The bot's words in every language it speaks, from gettext catalogues read with Babel.

`locales/<language>/LC_MESSAGES/messages.po` holds one entry per message key (`no_match`,
`button.send`, ...), with Python brace parameters and plural forms. Front ends pick a language
per user with `language_of` and turn a `Message` into text with `Catalogue.text`, escaping each
parameter for their own markup.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages import mofile, pofile
from babel.support import Translations

from .replies import Message, Raw

LOCALES = Path(__file__).with_name("locales")
LANGUAGES = ("en", "zh_Hans")  # English first: the language of last resort
DEFAULT = "en"


def language_of(tag: str | None, default: str = DEFAULT) -> str:
    """The catalogue for a locale as platforms and shells name it: `zh-CN`, `zh_TW.UTF-8` and
    `zh-Hans` read Simplified Chinese, `en-GB` English; an unknown or empty tag is `default`."""
    text = (tag or "").split(".")[0].split("@")[0].replace("-", "_").strip()
    if not text:
        return default
    try:
        language = Locale.parse(text).language
    except (ValueError, UnknownLocaleError):
        return default
    return next((name for name in LANGUAGES if name.split("_")[0] == language), default)


@functools.cache
def _translations(language: str) -> Translations:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = pofile.read_po(po, locale=Locale.parse(language))
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def keys(language: str) -> dict[str, tuple[str, ...]]:
    """Every key of a language's catalogue with its translation(s), plural forms in order."""
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = pofile.read_po(po, locale=Locale.parse(language))
    found: dict[str, tuple[str, ...]] = {}
    for entry in catalog:
        if not entry.id:
            continue  # the header
        key = entry.id if isinstance(entry.id, str) else entry.id[0]
        strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        found[key] = tuple(s or "" for s in strings)
    return found


class MissingMessage(KeyError):
    """A key the catalogue does not have: a bug, caught by the catalogue test."""


_FULL_STOPS = tuple("。！？；：）」")


def sentences(messages: Iterable[Message], language: str = DEFAULT, escape: Callable[[str], str] = str) -> str:
    """Several messages as one paragraph: a space between sentences, none after a full-width stop."""
    out = ""
    for said in messages:
        piece = text(said, language, escape)
        out += piece if not out or out.endswith(_FULL_STOPS) else " " + piece
    return out


def text(message: Message, language: str = DEFAULT, escape: Callable[[str], str] = str) -> str:
    """The message in `language`, each parameter escaped for the front end's markup.

    Parameters that are Messages themselves are translated first; `Raw` ones (markup the front
    end made, such as a mention) are not escaped.

    >>> text(message("cooldown", seconds=3), "zh_Hans")  # doctest: +SKIP
    '请稍等 3 秒再试。'
    """
    translations = _translations(language if language in LANGUAGES else DEFAULT)
    if message.count is None:
        template = translations.gettext(message.key)
    else:
        template = translations.ngettext(message.key, message.key, message.count)
    if template == message.key:
        raise MissingMessage(f"{message.key!r} is not in the {language} catalogue")

    def shown(value: object) -> str:
        if isinstance(value, Message):
            return text(value, language, escape)
        if isinstance(value, Raw):
            return str(value)
        if isinstance(value, tuple | list):
            return translations.gettext("list.separator").join(shown(v) for v in value)
        return escape(str(value))

    values = {name: shown(value) for name, value in message.params.items()}
    if message.count is not None:
        values.setdefault("count", str(message.count))
    return template.format(**values)
