"""Posting to a Slack channel at a user's press: Send's message and Card's upload, each with the
refusals a channel can answer turned into a one-line note for the presser."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import Chat, Picture, Raw, Shared, message

from . import render

logger = logging.getLogger(__name__)
# What chat.postMessage answers for a channel that will not take the quote, as a `share.*` key.
CANNOT_POST = {"channel_not_found": "channel_not_found", "not_in_channel": "not_in_channel",
               "is_archived": "archived"}


async def send(shared: Shared, respond: AsyncRespond, client: AsyncWebClient, chat: Chat, channel: str,
               language: str) -> None:
    """Send: post the quote to the channel, shared by whoever pressed it, and drop the preview."""
    note = render.say(message("share.shared_by", user=Raw(f"<@{shared.by}>")), language)
    try:
        await client.chat_postMessage(channel=channel, blocks=render.card_blocks(shared.card, note=note),
                                      text=render.fallback(shared.card))
    except SlackApiError as error:
        reason = error.response.get("error", "")
        if reason not in CANNOT_POST:
            chat.share_failed(shared.token, "closed")
            raise
        notice = chat.share_failed(shared.token, CANNOT_POST[reason])
        await respond(text=render.notice_text(notice, language), response_type="ephemeral", replace_original=False)
        return
    except BaseException:
        chat.share_failed(shared.token, "closed")  # nothing was posted: Send may be pressed again
        raise
    await respond(delete_original=True)


async def upload(picture: Picture, respond: AsyncRespond, client: AsyncWebClient, chat: Chat, channel: str,
                  language: str) -> None:
    """Card: upload the quote's image to the channel, shared by whoever asked; tell them it is there."""
    note = render.say(message("share.shared_by", user=Raw(f"<@{picture.by}>")), language)
    try:
        await client.files_upload_v2(channel=channel, file=picture.image.png, filename=picture.image.filename,
                                     title=render.picture_title(picture.card), alt_txt=render.alt_text(picture.image),
                                     initial_comment=note)
    except SlackApiError as error:
        reason = error.response.get("error", "")
        if reason not in CANNOT_POST:
            raise
        await respond(text=render.notice_text(chat.picture_failed(CANNOT_POST[reason]), language),
                      response_type="ephemeral", replace_original=False)
        return
    await respond(text=render.say(message("card.posted"), language), response_type="ephemeral", replace_original=False)


async def guarded_upload(picture: Picture, respond: AsyncRespond, client: AsyncWebClient, chat: Chat, channel: str,
                          language: str) -> None:
    """An upload after the ack: a failure is logged and apologised for, never lost in a task."""
    try:
        await upload(picture, respond, client, chat, channel, language)
    except Exception:
        logger.exception("uploading the card of %s failed", picture.card.quote.ref)
        await respond(text=render.say(message("sorry"), language), response_type="ephemeral", replace_original=False)
