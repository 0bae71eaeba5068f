"""The door every Discord interaction comes in by: discord.py routes what this bot declared, and
anything else gets a one-line private error from the core's catalogue instead of silence.

discord.py's parser raises on a button press whose `data` is not an object (which ends the
client's gateway task: the bot answers nothing more), drops a press it cannot route without a
word, crashes in its command tree on options of another shape, and hands an option's value to
the command as it came (a list where a string was declared). Discord sends none of these; a
client with stale commands, a proxy or a bug might. The door checks each interaction against
the commands the tree declares and the buttons this bot makes, before discord.py reads it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import AppCommandOptionType, app_commands
from discord.state import ConnectionState

from bot import QuoteBotError, failure

from . import render
from .interactions import BUTTON_ID, language_of_user, private

logger = logging.getLogger(__name__)
COMMAND, PRESS, AUTOCOMPLETE = 2, 3, 4  # the interactions this bot answers, by Discord's type number
BUTTON, SUBCOMMAND, SUBCOMMAND_GROUP, CHAT_INPUT = 2, 1, 2, 1
EXPIRED = QuoteBotError("not a press of a button this bot made", key="refused.expired")


def open_door(client: discord.Client, tree: app_commands.CommandTree[Any]) -> None:
    """Put the door in front of discord.py's parser of INTERACTION_CREATE, for every shard."""
    state = client._connection  # discord.py has no public hook before it reads an interaction
    parse = state.parsers["INTERACTION_CREATE"]
    answers: set[asyncio.Task[None]] = set()

    def parse_interaction_create(payload: Any) -> None:
        refusal = refusal_of(payload, tree)
        if refusal is None:
            try:
                parse(payload)
                return
            except Exception as error:  # the envelope around a well-formed command or press
                refusal = QuoteBotError(f"discord.py could not read it ({error!r:.100})", key="refused.expired")
        if (answering := _refuse(state, payload, refusal)) is not None:
            answers.add(answering)  # held until done: the loop keeps only a weak reference
            answering.add_done_callback(answers.discard)

    state.parsers["INTERACTION_CREATE"] = parse_interaction_create


def _refuse(state: ConnectionState[Any], payload: Any, refusal: QuoteBotError) -> asyncio.Task[None] | None:
    """Log the refusal in one line and start answering it, from the interaction's envelope alone;
    None when there is no id, token or user to answer."""
    try:
        interaction = discord.Interaction(data=_envelope(payload), state=state)  # type: ignore[arg-type]  # any shape
    except Exception as error:
        logger.warning("dropped a Discord interaction that cannot be answered (%.100r): %.200s", error, refusal)
        return None
    logger.warning("refused a Discord interaction: %.200s", refusal)
    return asyncio.get_running_loop().create_task(_answer(interaction, refusal))


def refusal_of(payload: Any, tree: app_commands.CommandTree[Any]) -> QuoteBotError | None:
    """Why discord.py must not route this interaction, as the error its user is shown; None when
    it may: a command or autocomplete the tree declares, or a press of one of this bot's buttons."""
    kind = payload.get("type") if isinstance(payload, dict) else None
    data = payload.get("data") if isinstance(payload, dict) else None
    if kind in (COMMAND, AUTOCOMPLETE):
        return _command_refusal(data, tree, autocomplete=kind == AUTOCOMPLETE)
    if kind == PRESS and _our_button(data, payload.get("message")):
        return None
    return EXPIRED


def _command_refusal(data: Any, tree: app_commands.CommandTree[Any], *, autocomplete: bool) -> QuoteBotError | None:
    """A slash command (or its autocomplete) as the tree declares it, down to each option's type."""
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(name, str):
        return _no_command("?")
    guild = data.get("guild_id")
    if data.get("type", CHAT_INPUT) != CHAT_INPUT or data.get("resolved", {}) != {} or (guild and not str(guild).isdigit()):
        return _no_command(name)  # a context menu, or users, roles or channels none of these commands take
    path, command, options = [name], tree.get_command(name), data.get("options", [])
    while isinstance(command, app_commands.Group):
        sub = options[0] if isinstance(options, list) and len(options) == 1 and isinstance(options[0], dict) else {}
        if sub.get("type") not in (SUBCOMMAND, SUBCOMMAND_GROUP) or not isinstance(sub.get("name"), str):
            return _no_command(" ".join(path))
        path.append(sub["name"])
        command, options = command.get_command(sub["name"]), sub.get("options", [])
    if command is None or not isinstance(options, list):
        return _no_command(" ".join(path))
    return _options_refusal(command, options, path, autocomplete=autocomplete)


def _options_refusal(command: app_commands.Command[Any, ..., Any], options: list[Any], path: list[str], *,
                     autocomplete: bool) -> QuoteBotError | None:
    """Each option one the command takes, with a value of its declared type; an autocomplete has
    exactly one focused option, and one with autocomplete."""
    declared = {parameter.display_name: parameter for parameter in command.parameters}
    focused = []
    for option in options:
        name = option.get("name") if isinstance(option, dict) else None
        if not isinstance(name, str) or name not in declared:
            return _no_command(" ".join([*path, name if isinstance(name, str) else "?"]))
        parameter = declared[name]
        if option.get("type") != parameter.type.value or not _fits(option.get("value"), parameter.type):
            return QuoteBotError(f"{name} is not a {parameter.type.name}", key="bad.filter_value", name=name)
        if option.get("focused"):
            focused.append(parameter)
    if autocomplete and not (len(focused) == 1 and focused[0].autocomplete):
        return QuoteBotError("an autocomplete of nothing that completes", key="bad.filter_value", name=path[-1])
    return None


def _fits(value: object, kind: AppCommandOptionType) -> bool:
    """Whether an option's value is of its declared type; this bot's commands take strings and booleans."""
    if kind is AppCommandOptionType.boolean:
        return isinstance(value, bool)
    return kind is AppCommandOptionType.string and isinstance(value, str)


def _no_command(name: str) -> QuoteBotError:
    return QuoteBotError(f"no command {name}", key="bad.command", name=name)


def _our_button(data: Any, message: Any) -> bool:
    """A press discord.py routes to a QuoteButton: one of this bot's custom ids, on a button the
    message it came from carries (discord.py finds the button there, or drops the press)."""
    custom_id = data.get("custom_id") if isinstance(data, dict) else None
    if not isinstance(custom_id, str) or data.get("component_type") != BUTTON or not BUTTON_ID.fullmatch(custom_id):
        return False
    rows = message.get("components") if isinstance(message, dict) else None
    return isinstance(rows, list) and any(
        isinstance(row, dict) and isinstance(row.get("components"), list)
        and any(isinstance(item, dict) and item.get("type") == BUTTON and item.get("custom_id") == custom_id
                for item in row["components"])
        for row in rows)


def _envelope(payload: Any) -> dict[str, Any]:
    """The interaction without what was wrong with it: enough to answer it (its id, token and user)."""
    if not isinstance(payload, dict):
        raise TypeError("not an object")
    return {key: value for key, value in payload.items() if key not in ("data", "message")}


async def _answer(interaction: discord.Interaction[Any], refusal: QuoteBotError) -> None:
    """The refusal as a private line in the user's language; an autocomplete gets no choices."""
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
        else:
            await private(interaction, render.notice_text(failure(refusal), language_of_user(interaction)))
    except discord.HTTPException as error:
        logger.warning("could not answer a refused Discord interaction: %s", error)
