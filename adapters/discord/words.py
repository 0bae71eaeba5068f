"""Discord's command names and descriptions in every language of the core's catalogue."""

from __future__ import annotations

import discord
from discord import app_commands

from bot import language_of, message, translate


def key(name: str) -> app_commands.locale_str:
    """A command's name or description: its English text, and its catalogue key (`slash.<name>`)."""
    english = translate(message(f"slash.{name}"), "en")
    return app_commands.locale_str(english, key=f"slash.{name}")


class Translator(app_commands.Translator):
    """Names and descriptions for each client's language, from the catalogue; English is Discord's default."""

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        language = language_of(str(locale), "")
        if not language or language == "en" or "key" not in string.extras:
            return None
        return translate(message(string.extras["key"]), language)
