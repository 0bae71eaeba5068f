"""The Discord bot's own words in English and Chinese, chosen by the user's locale."""

from __future__ import annotations

import discord
from discord import app_commands

WORDS = {
    "no_match": ("No quote matches {query}.", "没有找到符合 {query} 的语录。"),
    "who_speaks": (" {names} speak of it.", "谈到它的有：{names}。"),
    "cooldown": ("Slow down a little: try again in {seconds} s.", "请稍等 {seconds} 秒再试。"),
    "sorry": ("Sorry, something went wrong; it has been logged.", "抱歉，出了点问题，已记录。"),
    "expired": ("These buttons have expired; run /quote again.", "按钮已过期，请重新使用 /quote。"),
    "not_yours": ("Only the person who ran the command can use this button.", "只有发起命令的人可以使用这个按钮。"),
    "already_sent": ("Already posted.", "已经发过了。"),
    "shared_by": ("shared by {user}", "由 {user} 分享"),
    "posted": ("Posted to the channel.", "已发到频道。"),
    "question": ("Question", "问题"),
    "another": ("Another", "换一条"),
    "context": ("Context", "上下文"),
    "post": ("Post", "发到频道"),
    "prev": ("Prev", "上一条"),
    "next": ("Next", "下一条"),
    "speakers": ("Speakers", "发言人"),
    "topics": ("Topics", "话题"),
    "page": ("{n} of {total}", "第 {n}/{total} 条"),
}

# Command names and descriptions in Chinese; English is the default Discord shows.
COMMAND_ZH = {
    "quote": "语录",
    "Find a quote from the panel discussions": "查找圆桌讨论中的语录",
    "keyword": "关键词",
    "Words to look for, in Chinese, pinyin or English": "要查找的词，中文、拼音或英文",
    "speaker": "发言人",
    "Who said it: name, pinyin or title": "谁说的：姓名、拼音或头衔",
    "topic": "话题",
    "The moderator's question it answers": "所回答的主持人问题",
    "panel": "圆桌",
    "Which panel": "哪一场圆桌",
    "private": "仅自己可见",
    "Answer only to me": "只让我看到",
    "quote-speakers": "语录-发言人",
    "Who speaks in the loaded panels": "已加载圆桌中的发言人",
    "quote-topics": "语录-话题",
    "The topics of the loaded panels": "已加载圆桌的话题",
}


def chinese(locale: discord.Locale | str | None) -> bool:
    return str(locale or "").startswith("zh")


def say(key: str, locale: discord.Locale | str | None, **values: object) -> str:
    english, zh = WORDS[key]
    return (zh if chinese(locale) else english).format(**values)


class Translator(app_commands.Translator):
    """Chinese names and descriptions for the commands, for zh-CN and zh-TW clients."""

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        if locale in (discord.Locale.chinese, discord.Locale.taiwan_chinese):
            return COMMAND_ZH.get(string.message)
        return None
