"""The Slack app: /quote answered with a private preview, and the buttons under it.

Handlers translate a Slack payload into core calls (the command language is the core's
`parse_command`) and the answer into Block Kit. The slash command is acknowledged with the
answer itself: searching takes well under Slack's three seconds.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import Library
from bot.chat import conversation
from bot.chat.command import Command, Query, parse_command
from bot.chat.conversation import Conversations, Shown
from bot.chat.cooldown import Cooldown
from bot.digest.scheduler import DigestScheduler, utc_now
from bot.digest.store import Store
from bot.digest.subscribing import answer_digest
from bot.errors import QuoteBotError
from bot.health import Health

from . import render
from .digest import slack_poster
from .settings import SlackSettings

logger = logging.getLogger(__name__)

LABELS = {"send": "Send", "another": "Another", "context": "Context", "cancel": "Cancel"}
HELP = """*/quote* finds quotes from the panel discussions. Only you see the answer until you press *Send*.
• `/quote 算力` quotes about 算力, best first (pinyin works too: `suanli`)
• `/quote 大模型 speaker:陈石` by speaker: name, pinyin (`chen shi`) or id; also `发言人:`
• `/quote topic:感受` a random quote on a topic: name, id or part of it (`同质化`); also `话题:`
• `/quote random` a random quote; filters work here too
• `/quote speakers`, `/quote topics`, `/quote help`
• `/quote digest subscribe 09:00 Asia/Shanghai topic:感受` a quote here every day (also `digest unsubscribe`,
  `digest status`, `digest preview`)"""
EXPIRED = "These buttons have expired; run /quote again."
REFUSED = {"expired": EXPIRED, "not_yours": "Only the person who ran /quote can use this button.",
           "already_sent": "Already sent.", "cooldown": "Slow down a little: try again in {seconds} s."}
ONLY_ADMINS = "Only workspace admins and owners can change this channel's digest."
SORRY = "Sorry, something went wrong; it has been logged."
CANNOT_POST = {
    "channel_not_found": "I can't see this channel; invite me to it first (/invite @panel-quotes).",
    "not_in_channel": "I'm not in this channel; invite me first (/invite @panel-quotes).",
    "is_archived": "This channel is archived.",
}


def no_match(library: Library, query: Query) -> str:
    return conversation.no_match(library, query, escape=render.plain)


def answer_command(conversations: Conversations, channel: str, user: str, command: Command) -> dict[str, Any]:
    """What /quote replies (but digests): blocks and a fallback text, to send as the command's ack."""
    library = conversations.library
    if command.action == "help":
        return {"text": HELP}
    if command.action in ("speakers", "topics", "panels"):
        rows = {"speakers": [f"{s.name} (`{s.id}`) · {s.title}" for s in {s.id: s for s in library.speakers}.values()],
                "topics": [f"{t.name} (`{t.id}`)" for t in library.topics],
                "panels": [f"{p.title} (`{p.id}`)" for p in library.panels]}[command.action]
        return {"text": "\n".join(render.escape(row) for row in rows)}
    if command.action == "context":
        context = library.context(command.argument)
        return {"blocks": render.context_blocks(library, context, question_label="Question"),
                "text": render.fallback(context.quote)}
    if wait := conversations.cooldown.wait(user):
        return {"text": REFUSED["cooldown"].format(seconds=max(1, round(wait)))}
    answered = conversations.answer(channel, user, command.query, page=1, private=True)  # a preview only the asker sees
    if answered is None:
        return {"text": no_match(library, command.query)}
    return preview(conversations, *answered)


def preview(conversations: Conversations, shown: Shown, token: str) -> dict[str, Any]:
    library = conversations.library
    return {"blocks": render.preview_blocks(library, shown, token, LABELS),
            "text": render.fallback(library.quote(shown.ref))}


async def answer_digest_command(client: AsyncWebClient, store: Store, library: Library, settings: SlackSettings,
                                command: Command, channel: str, user: str) -> dict[str, Any]:
    """`/quote digest ...`: workspace admins and owners only, unless SLACK_DIGEST_ADMINS_ONLY=false."""
    if settings.digest_admins_only:
        profile = (await client.users_info(user=user)).get("user") or {}
        if not (profile.get("is_admin") or profile.get("is_owner")):
            return {"text": ONLY_ADMINS}
    reply = answer_digest(store, library, command, platform="slack", channel=channel, user=user, now=utc_now(),
                          default_timezone=settings.digest_timezone)
    if reply.quote is None:
        return {"text": render.escape(reply.text)}
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": render.escape(reply.text)}},
              *render.quote_blocks(library, reply.quote)]
    return {"blocks": blocks, "text": render.escape(reply.text)}


def build_app(library: Library, settings: SlackSettings, conversations: Conversations | None = None,
              store: Store | None = None) -> AsyncApp:
    """The bolt app with every listener registered; serve it in HTTP or Socket Mode."""
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url or AsyncWebClient.BASE_URL)
    # Listeners finish before the response: the command's answer is its ack, and the buttons do
    # their slower work (posting, response_url) lazily, after a bare ack. Without this, bolt
    # polls for the ack every 10 ms and every answer waits for the next poll.
    app = AsyncApp(client=client, signing_secret=settings.signing_secret or "",
                   request_verification_enabled=not settings.socket_mode, process_before_response=True)
    talk = conversations or Conversations(library, Cooldown.parse(settings.cooldown))

    @app.command("/quote")
    async def quote(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        try:
            parsed = parse_command(command.get("text", ""))
            if parsed.action == "digest":
                if store is None:
                    raise QuoteBotError("daily digests are not set up on this bot")
                reply = await answer_digest_command(client, store, library, settings, parsed, command["channel_id"],
                                                    command["user_id"])
            else:
                reply = answer_command(talk, command["channel_id"], command["user_id"], parsed)
        except QuoteBotError as error:
            reply = {"text": render.escape(str(error))}
        except Exception:  # the app must outlive any one command
            logger.exception("/quote %r failed", command.get("text"))
            reply = {"text": SORRY}
        await ack(**reply)

    async def button(body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient) -> None:
        action = body["actions"][0]
        name, token = action["action_id"].removeprefix("quote_"), action["value"]
        user, channel = body["user"]["id"], (body.get("channel") or {}).get("id", "")
        pressed = talk.press(token, user, name)
        shown = pressed.shown
        try:
            if pressed.verdict != "ok" or shown is None:
                text = REFUSED[pressed.verdict].format(seconds=max(1, round(pressed.wait)))
                await respond(text=text, response_type="ephemeral", replace_original=False)
            elif name == "cancel":
                await respond(delete_original=True)
            elif name == "context":
                context = library.context(shown.ref)
                await respond(blocks=render.context_blocks(library, context, question_label="Question"),
                              text=render.fallback(context.quote), response_type="ephemeral", replace_original=False)
            elif name == "another":
                fresh = talk.next_quote(channel, user, shown)
                if fresh is None:
                    await respond(text=no_match(library, shown.query), replace_original=False)
                else:
                    await respond(**preview(talk, *fresh), replace_original=True)
            elif name == "send" and not await _send(client, respond, library, shown, channel, user):
                talk.unsend(token)
        except QuoteBotError as error:
            await respond(text=render.escape(str(error)), response_type="ephemeral", replace_original=False)
        except Exception:
            logger.exception("button %s failed", name)
            await respond(text=SORRY, response_type="ephemeral", replace_original=False)

    async def acknowledge(ack: AsyncAck) -> None:
        await ack()

    for name in LABELS:
        app.action(f"quote_{name}")(ack=acknowledge, lazy=[button])
    _ack_everything_else(app)
    return app


async def _send(client: AsyncWebClient, respond: AsyncRespond, library: Library, shown: Shown, channel: str,
                user: str) -> bool:
    """Send: post the quote to the channel, shared by whoever pressed it, and drop the preview;
    False when the channel would not take it."""
    quote = library.quote(shown.ref)
    blocks = render.quote_blocks(library, quote, shown.current_spans, note=f"shared by <@{user}>")
    try:
        await client.chat_postMessage(channel=channel, blocks=blocks, text=render.fallback(quote))
    except SlackApiError as error:
        reason = error.response.get("error", "")
        if reason not in CANNOT_POST:
            raise
        await respond(text=CANNOT_POST[reason], response_type="ephemeral", replace_original=False)
        return False
    await respond(delete_original=True)
    return True


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
    app = build_app(library, settings, store=store)
    connected = {"up": False}
    if health is not None:
        health.connected["slack"] = lambda: connected["up"]
    if store is None:
        await _serve_app(app, settings, connected)
        return
    scheduler = DigestScheduler(store, library, {"slack": slack_poster(app.client, library)})
    if health is not None:
        health.digest_runs["slack"] = lambda: scheduler.last_run
    stop = asyncio.Event()
    digests = asyncio.create_task(scheduler.run(stop))
    try:
        await _serve_app(app, settings, connected)
    finally:
        stop.set()
        digests.cancel()


async def _serve_app(app: AsyncApp, settings: SlackSettings, connected: dict[str, bool]) -> None:
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(app, settings.app_token)
        await handler.connect_async()
        await _up_until_cancelled(connected, handler.close_async)
        return
    # app.start() would listen on 0.0.0.0; serve on the configured host only.
    runner = web.AppRunner(app.web_app(path="/slack/events"))
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
