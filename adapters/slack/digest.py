"""Posting daily digests to Slack channels: the scheduler's `Poster` for Slack."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import Library
from bot.digest.scheduler import ChannelGone, Poster, RateLimited
from bot.digest.store import Subscription
from bot.models import Quote

from . import render

GONE = {"channel_not_found", "not_in_channel", "is_archived", "account_inactive", "invalid_auth", "token_revoked"}


def slack_poster(client: AsyncWebClient, library: Library) -> Poster:
    """Post the quote as a Block Kit message; map Slack's answers to what the scheduler does next."""

    async def post(subscription: Subscription, quote: Quote) -> str:
        blocks = render.quote_blocks(library, quote, note="Quote of the day")
        try:
            response = await client.chat_postMessage(channel=subscription.channel, blocks=blocks,
                                                     text=render.fallback(quote))
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise RateLimited(float(error.response.headers.get("Retry-After", 1))) from None
            reason = error.response.get("error", "")
            if reason in GONE:
                raise ChannelGone(reason) from None
            raise
        return str(response.get("ts", ""))

    return post
