"""The digest commands in chat: subscribe, unsubscribe, status and preview, for any front end."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from ..digest.schedule import parse_time, parse_timezone, utc_now
from ..errors import QuoteBotError
from .command import Command
from .replies import Answer, Audience, Card, Message, Notice, Reply, message

if TYPE_CHECKING:
    from ..digest.store import Store, Subscription
    from ..library import Library
    from ..models import Quote
    from ..quotecard import QuoteImage
    from .parties import Actor, Place

DEFAULT_TIME = "09:00"
logger = logging.getLogger(__name__)


def digest_picture(subscription: Subscription, quote: Quote, library: Library, language: str) -> QuoteImage | None:
    """The card a `style:card` digest posts (with the gloss beneath for an English channel); None
    for a text digest, and for a card that cannot be drawn (no font draws Chinese: said in the log,
    and the quote goes out as text rather than not at all)."""
    if subscription.style != "card":
        return None
    from ..quotecard.draw import render_card_image

    try:
        return render_card_image(Card(quote, library.panel(quote.panel), language=language))
    except QuoteBotError as error:
        logger.warning("digest %s posted as text: %s", subscription.digest_key, error)
        return None


def schedule(sub: Subscription) -> Message:
    """every day at 09:00 (Asia/Shanghai), topic 感受"""
    filters = tuple(message(f"digest.filter.{name}", value=value) for name, value in
                    (("topic", sub.topic), ("speaker", sub.speaker), ("panel", sub.panel)) if value)
    if sub.style == "card":
        filters += (message("digest.as_card"),)
    time = f"{sub.post_time:%H:%M}"
    if filters:
        return message("digest.schedule_filtered", time=time, zone=sub.timezone, filters=filters)
    return message("digest.schedule", time=time, zone=sub.timezone)


def answer(command: Command, actor: Actor, place: Place, *, library: Library, store: Store | None,
           default_timezone: str = "UTC", now: dt.datetime | None = None) -> Reply:
    """What a digest command does in `place`; only an actor who manages it may use them."""
    order = command.digest
    if order is None:
        raise QuoteBotError("digest takes subscribe, unsubscribe, status or preview", key="bad.digest")
    if not actor.manages:
        return Notice((message("digest.not_allowed"),))
    if store is None:
        return Notice((message("digest.no_store"),), error=True)
    now = now or utc_now()
    filters = replace(command.query, words="")  # a digest draws from filters alone
    if order.action == "subscribe":
        post_time = parse_time(order.time or DEFAULT_TIME)
        zone = parse_timezone(order.zone or default_timezone)
        if not library.search(filters, limit=1):  # unknown names raise on the way
            return Notice((message("digest.no_quotes"),), error=True)
        sub = store.subscribe(place.platform, place.channel, f"{post_time:%H:%M}", zone.key, filters=filters,
                              by=actor.id, now=now, style=order.style or "text")
        return Notice((message("digest.subscribed", schedule=schedule(sub)),))
    current = store.subscription(place.platform, place.channel)
    if order.action == "unsubscribe":
        gone = store.unsubscribe(place.platform, place.channel)
        return Notice((message("digest.unsubscribed" if gone else "digest.none_to_stop"),))
    if order.action == "status":
        if current is None:
            return Notice((message("digest.none", time=DEFAULT_TIME, zone=default_timezone),))
        said = [message("digest.status", schedule=schedule(current))]
        if not current.enabled:
            said.append(message("digest.disabled", reason=current.disabled_reason or ""))
        shown, total = library.digest_round(current.filters, store.posted_refs(current.id))
        said.append(message("digest.round", shown=shown, total=total))
        if last := store.last_post(current.id):
            key = "digest.last_failed" if last.error else "digest.last"
            said.append(message(key, date=str(last.local_date), quote=last.quote_ref, error=last.error or ""))
        return Notice(tuple(said))
    # preview: tomorrow's quote for this place, with its filters (or the command's)
    zone = parse_timezone(current.timezone if current else default_timezone)
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    log = store.posted_refs(current.id) if current else []
    last = store.last_post(current.id) if current else None
    today = tomorrow - dt.timedelta(days=1)
    pending = current is not None and (last is None or last.local_date < today)
    # Today's quote is still to come: tomorrow's pick follows it in the round.
    if pending and current and (coming := library.digest(place.key, today, current.filters, log)):
        log = [*log, coming.ref]
    quote = library.digest(place.key, tomorrow, current.filters if current else filters, log)
    if quote is None:
        return Notice((message("digest.no_quotes"),), error=True)
    return Answer(Card(quote, library.panel(quote.panel), language=actor.language), Audience.ACTOR,
                  note=message("digest.tomorrow", date=tomorrow.isoformat()))
