"""The Slack app: /quote answered with a private preview, and the buttons under it.

Handlers translate a Slack payload into one call on the chat core (who asked, in which
language, in which channel) and render the typed reply as Block Kit. The slash command is
acknowledged with the answer itself: the core answers well under Slack's three seconds.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from cachetools import TTLCache
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import (
    Actor,
    Answer,
    Button,
    Chat,
    ChatState,
    ContextView,
    Cooldown,
    DigestScheduler,
    Health,
    Help,
    Library,
    Listing,
    Notice,
    Picture,
    Place,
    Removed,
    Reply,
    Shared,
    SqlState,
    Store,
    finish,
    language_of,
    message,
)

from . import render
from .digest import slack_poster
from .endpoint import Malformed, refuse_malformed, web_app
from .settings import SlackSettings
from .sharing import guarded_upload, send, upload

logger = logging.getLogger(__name__)
PLATFORM = "slack"


class People:
    """Who a Slack user is to the core: their language and whether they may change digests.

    `users.info` with `include_locale`, cached for an hour per user so a busy channel costs one
    call per person; without the `users:read` scope everyone gets the workspace language.
    """

    def __init__(self, client: AsyncWebClient, settings: SlackSettings) -> None:
        self.client, self.settings = client, settings
        self._known: TTLCache[str, tuple[str, bool]] = TTLCache(maxsize=10_000, ttl=3600)

    async def actor(self, user: str) -> Actor:
        if (known := self._known.get(user)) is None:
            language, admin = self.settings.language, False
            try:
                profile = (await self.client.users_info(user=user, include_locale=True)).get("user") or {}
            except SlackApiError as error:
                logger.warning("users.info failed (%s): answering in the workspace language",
                               error.response.get("error"))
            else:
                language = language_of(profile.get("locale"), self.settings.language)
                admin = bool(profile.get("is_admin") or profile.get("is_owner"))
            known = self._known[user] = (language, admin)
        language, admin = known
        return Actor(user, language, manages=admin or not self.settings.digest_admins_only)


def unescape(text: str) -> str:
    """What the user typed: Slack sends &, < and > in a command's text as &amp;, &lt; and &gt;."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def reply_payload(reply: Reply, language: str) -> dict[str, Any]:
    """A reply as the keyword arguments of ack() or respond(): blocks and a fallback text."""
    if isinstance(reply, Answer):
        return {"blocks": render.answer_blocks(reply, language), "text": render.fallback(reply.card)}
    if isinstance(reply, ContextView):
        focus = next(line.quote for line in reply.lines if line.is_focus)
        return {"blocks": render.context_blocks(reply, language),
                "text": render.escape(f"{focus.speaker.name}: {focus.text}")[:2900]}
    if isinstance(reply, Listing):
        return {"text": render.listing_text(reply, language)}
    if isinstance(reply, Help):
        return {"text": render.help_text(reply, language)}
    if isinstance(reply, Notice):
        return {"text": render.notice_text(reply, language)}
    return {"text": ""}


def chat_for(library: Library, settings: SlackSettings, store: Store | None = None) -> Chat:
    """The chat core as the settings have it; with a `store`, its state is in the bot's database,
    shared by every replica (the buttons, the cooldown, the signatures HTTP mode has seen)."""
    return Chat(library, cooldown=Cooldown.parse(settings.cooldown), store=store,
                state=SqlState.beside(store.engine) if store else None, default_timezone=settings.digest_timezone)


def build_app(library: Library, settings: SlackSettings, chat: Chat | None = None,
              store: Store | None = None) -> AsyncApp:
    """The bolt app with every listener registered; serve it in HTTP (`endpoint.web_app`) or Socket Mode."""
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url or AsyncWebClient.BASE_URL)
    # Listeners finish before the response: the command's answer is its ack, and the buttons do
    # their slower work (posting, response_url) lazily, after a bare ack. Without this, bolt
    # polls for the ack every 10 ms and every answer waits for the next poll.
    app = AsyncApp(client=client, signing_secret=settings.signing_secret or "",
                   request_verification_enabled=not settings.socket_mode, process_before_response=True,
                   raise_error_for_unhandled_request=True)
    chat = chat or chat_for(library, settings, store)
    people = People(client, settings)
    app.error(refuse_malformed)

    later: set[asyncio.Task[None]] = set()  # uploads that follow a command's ack

    @app.command("/quote")
    async def quote(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        user, channel, typed = _text(command, "user_id"), _text(command, "channel_id"), _text(command, "text", "")
        language = settings.language
        try:
            actor = await people.actor(user)
            language = actor.language
            # Every answer is a preview only the asker sees, until they press Send.
            reply = chat.ask(unescape(typed), actor, Place(PLATFORM, channel), private=True)
            payload = reply_payload(reply, language)
            if isinstance(reply, Picture):  # `card ID`: a file cannot ride on the ack, so it follows it
                task = asyncio.create_task(guarded_upload(reply, respond, client, chat, channel, language))
                later.add(task)
                task.add_done_callback(later.discard)
        except Exception:  # the app must outlive any one command
            logger.exception("/quote %r failed", typed)
            payload = {"text": render.say(message("sorry"), language)}
        await ack(**payload)

    async def button(body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        press = Press.of(body)
        language = settings.language
        try:
            actor = await people.actor(press.user)
            language = actor.language
            reply = chat.press(press.token, press.button, actor, Place(PLATFORM, press.channel))
            await _respond(reply, respond, client, chat, press.channel, language)
        except Exception:
            logger.exception("button %s failed", press.button)
            await respond(text=render.say(message("sorry"), language), response_type="ephemeral",
                          replace_original=False)

    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    for name in Button:
        app.action(f"quote_{name.value}", middleware=[_well_formed])(ack=acknowledge, lazy=[button])
    _ack_everything_else(app)
    return app


@dataclass(frozen=True, slots=True)
class Press:
    """A button press as Slack sends it (a block_actions payload), read strictly: a field of the
    wrong type is `Malformed`, answered 400, never a crash inside a listener."""

    button: str
    token: str
    user: str
    channel: str  # empty for a press outside a channel

    @classmethod
    def of(cls, body: dict[str, Any]) -> Press:
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else None
        if not _text(body, "response_url").startswith(("https://", "http://")):  # where every reply goes
            raise Malformed("response_url is not a URL")
        return cls(_text(action, "action_id").removeprefix("quote_"), _text(action, "value", ""),
                   _text(body.get("user"), "id"), _text(body.get("channel") or {}, "id", ""))


async def _well_formed(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> None:
    """A press's listener middleware: a malformed press is refused (400) before it is acknowledged,
    and so before its lazy work starts (bolt starts that even when the ack function fails)."""
    Press.of(body)
    await next()


def _text(fields: object, name: str, default: str | None = None) -> str:
    """A field Slack sends as a string; `Malformed` when it is missing (without a default) or not a string."""
    value = fields.get(name, default) if isinstance(fields, dict) else None
    if not isinstance(value, str):
        raise Malformed(f"{name} is not a string")
    return value


async def _respond(reply: Reply, respond: AsyncRespond, client: AsyncWebClient, chat: Chat, channel: str,
                   language: str) -> None:
    """A button's reply through the response URL: the preview replaced, removed, or a note beside it."""
    if isinstance(reply, Removed):
        await respond(delete_original=True)
    elif isinstance(reply, Shared):
        await send(reply, respond, client, chat, channel, language)
    elif isinstance(reply, Picture):
        await upload(reply, respond, client, chat, channel, language)
    elif isinstance(reply, Answer) and reply.replaces:
        await respond(**reply_payload(reply, language), replace_original=True)
    else:
        await respond(**reply_payload(reply, language), response_type="ephemeral", replace_original=False)


def _ack_everything_else(app: AsyncApp) -> None:
    """Slack retries what is not acknowledged, and Socket Mode acks nothing no listener took."""
    anything = re.compile(".*")

    async def ignore(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        logger.info("ignored a %s request", body.get("type") or body.get("command") or "Slack")

    async def ignore_event(body: dict[str, Any]) -> None:
        logger.info("ignored event %s", (body.get("event") or {}).get("type"))

    for register in (app.command, app.action, app.shortcut, app.view, app.options):
        register(anything)(ignore)
    app.event(anything)(ignore_event)


async def serve(library: Library, settings: SlackSettings, store: Store | None = None,
                health: Health | None = None) -> None:
    """Run the Slack app, and with a `store` its daily digests, until stopped: Socket Mode with an
    app token, HTTP mode otherwise."""
    chat = chat_for(library, settings, store)
    app = build_app(library, settings, chat)
    connected = {"up": False}
    if health is not None:
        health.connected["slack"] = lambda: connected["up"]
    if store is None:
        await _serve_app(app, settings, connected, chat.state)
        return
    scheduler = DigestScheduler(store, library, {"slack": slack_poster(app.client, library, settings.language)})
    if health is not None:
        health.digest_runs["slack"] = lambda: scheduler.last_run
    stop = asyncio.Event()
    digests = asyncio.create_task(scheduler.run(stop))
    try:
        await _serve_app(app, settings, connected, chat.state)
    finally:
        await finish(digests, stop)  # the post under way is not abandoned


async def _serve_app(app: AsyncApp, settings: SlackSettings, connected: dict[str, bool], state: ChatState) -> None:
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(app, settings.app_token)
        await handler.connect_async()
        await _up_until_cancelled(connected, handler.close_async)
        return
    # app.start() would listen on 0.0.0.0; serve on the configured host only.
    runner = web.AppRunner(web_app(app, settings.signing_secret or "", state))
    await runner.setup()
    await web.TCPSite(runner, settings.http_host, settings.http_port).start()
    logger.info("Slack HTTP mode on http://%s:%d/slack/events", settings.http_host, settings.http_port)
    await _up_until_cancelled(connected, runner.cleanup)


async def _up_until_cancelled(connected: dict[str, bool], close: Callable[[], Awaitable[None]]) -> None:
    """Report the app as connected until the task is cancelled (shutdown), then close it."""
    connected["up"] = True
    try:
        await asyncio.Event().wait()
    finally:
        connected["up"] = False
        await close()
