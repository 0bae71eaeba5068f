"""Posting daily digests to Slack channels: the scheduler's `Poster` for Slack."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import Card, ChannelGone, Library, Poster, Quote, RateLimited, Subscription, message

from . import render

GONE = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "invalid_auth", "token_revoked"}


def slack_poster(client: AsyncWebClient, library: Library, language: str = "en") -> Poster:
    """Post the quote as a Block Kit message; map Slack's answers to what the scheduler does next."""

    async def post(subscription: Subscription, quote: Quote) -> str:
        card = Card(quote, library.panel(quote.panel))
        blocks = render.card_blocks(card, note=render.say(message("digest.note"), language))
        try:
            response = await client.chat_postMessage(channel=subscription.channel, blocks=blocks,
                                                     text=render.fallback(card))
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise RateLimited(float(error.response.headers.get("Retry-After", 1))) from None
            reason = error.response.get("error", "")
            if reason in GONE:
                raise ChannelGone(reason) from None
            raise
        return str(response.get("ts", ""))

    return post
