"""Posting daily digests to Slack channels: the scheduler's `Poster` for Slack.

Each post carries message metadata naming its idempotency mark. When an earlier try may have
reached Slack (the answer was lost: a dropped connection, a timeout, a 5xx), the poster looks
for that mark in the channel's recent history before posting again, and the client it posts
with never retries by itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import (
    Card,
    ChannelGone,
    Delivery,
    Library,
    Poster,
    Quote,
    QuoteImage,
    RateLimited,
    Subscription,
    digest_picture,
    message,
)

from . import render

GONE = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "invalid_auth", "token_revoked"}
EVENT = "panel_quotes_digest"
HISTORY_PAGES = 10
POST_SECONDS = 30.0  # an answer slower than this counts as lost; the next try looks first


def slack_poster(client: AsyncWebClient, library: Library, language: str = "en",
                 timeout: float = POST_SECONDS) -> Poster:
    """Post the quote as a Block Kit message; map Slack's answers to what the scheduler does next."""
    # Blind retries inside the client could post twice; the scheduler retries, looking first.
    client = AsyncWebClient(token=client.token, base_url=client.base_url, retry_handlers=[])

    async def post(subscription: Subscription, quote: Quote, delivery: Delivery) -> str:
        if delivery.retry and (posted := await _posted(client, subscription.channel, delivery)):
            return posted
        card = Card(quote, library.panel(quote.panel))
        if image := digest_picture(subscription, quote, library, language):
            return await _upload(client, subscription, card, image, delivery, render.say(message("digest.note"), language),
                                 timeout)
        blocks = render.card_blocks(card, note=render.say(message("digest.note"), language))
        try:
            response = await asyncio.wait_for(client.chat_postMessage(
                channel=subscription.channel, blocks=blocks, text=render.fallback(card),
                metadata={"event_type": EVENT, "event_payload": {"mark": delivery.mark}}), timeout)
        except SlackApiError as error:
            _raise_for(error)
            raise
        return str(response.get("ts", ""))

    return post


async def _upload(client: AsyncWebClient, subscription: Subscription, card: Card, image: QuoteImage,
                  delivery: Delivery, note: str, timeout: float) -> str:
    """A `style:card` digest: the image uploaded to the channel, its file name carrying the post's
    mark (a file share has no metadata), so that a retry finds it; the file's id is the post's."""
    try:
        response = await asyncio.wait_for(client.files_upload_v2(
            channel=subscription.channel, file=image.png, filename=marked(image, delivery), initial_comment=note,
            title=render.picture_title(card), alt_txt=render.alt_text(image)), timeout)
    except SlackApiError as error:
        _raise_for(error)
        raise
    return str(((response.get("files") or [{}])[0]).get("id", ""))


def marked(image: QuoteImage, delivery: Delivery) -> str:
    """aigc-summit-2023-roundtable-chen-shi-3-pq7-20261128.png"""
    return f"{image.filename.removesuffix('.png')}-{delivery.mark}.png"


def _carries(found: dict[str, Any], delivery: Delivery) -> bool:
    """Whether a message is the delivery's post: its metadata's mark, or a card's file named with it."""
    metadata = found.get("metadata") or {}
    if metadata.get("event_type") == EVENT and (metadata.get("event_payload") or {}).get("mark") == delivery.mark:
        return True
    return any(str(f.get("name", "")).endswith(f"-{delivery.mark}.png") for f in found.get("files") or [])


async def _posted(client: AsyncWebClient, channel: str, delivery: Delivery) -> str | None:
    """The ts of the channel's message carrying the delivery's mark, among every message since the
    post was claimed (page by page, however busy the channel), or None."""
    cursor = None
    for _ in range(HISTORY_PAGES):
        try:
            history = await client.conversations_history(
                channel=channel, oldest=f"{delivery.since - 60:.6f}", limit=200, include_all_metadata=True,
                **({"cursor": cursor} if cursor else {}))
        except SlackApiError as error:
            _raise_for(error)
            raise  # cannot tell whether it was posted: better no post today than two (needs channels:history)
        for found in history.get("messages") or []:
            if _carries(found, delivery):
                return str(found.get("ts", ""))
        cursor = (history.get("response_metadata") or {}).get("next_cursor")
        if not history.get("has_more") or not cursor:
            return None
    raise RuntimeError(f"more than {HISTORY_PAGES * 200} messages since the post: cannot tell whether it was made")


def _raise_for(error: SlackApiError) -> None:
    """What the scheduler does next, from Slack's answer: wait, or stop posting to the channel."""
    if error.response.status_code == 429:
        raise RateLimited(float(error.response.headers.get("Retry-After", 1))) from None
    reason = error.response.get("error", "")
    if reason in GONE:
        raise ChannelGone(reason) from None
