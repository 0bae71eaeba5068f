"""Quote cards: how long one card takes to render, for every quote of the shipped panel.

    python -m benchmarks.card_bench [--rounds 5]

Each size, theme and reader's language renders every quote `--rounds` times, bypassing the card
cache (what a new card costs: layout, drawing and PNG encoding); the fonts are loaded once per
process beforehand, as the bot loads them with its first card. Prints p50, p99 and the slowest
in milliseconds, and what a cached card costs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import bot
from bot import Card
from bot.quotecard import SIZES, THEMES
from bot.quotecard.draw import FORMAT, _render, render_card_image
from bot.quotecard.fonts import card_fonts

LANGUAGES = {"zh_Hans": "zh", "en": "en (+ gloss)"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="renders of every quote per row (default 5)")
    args = parser.parse_args()
    library = bot.load_library()
    fonts = card_fonts()
    quotes = list(library.quotes)  # the moderator's questions too: a card can be made of any
    for size in SIZES:  # warm up: every font size the fitting may try, loaded once per process
        for quote in quotes:
            _render.__wrapped__(Card(quote, library.panel(quote.panel), language="en"), size, "light", fonts, FORMAT)
    print(f"{len(quotes)} paragraphs of the shipped panel, {args.rounds} rounds, fonts: {fonts.text.path} "
          f"(quote), {fonts.label.path} (labels)\n")
    print(f"{'size':<9} {'theme':<6} {'reader':<16} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    every: list[float] = []
    for size in SIZES:
        for theme in THEMES:
            for language, label in LANGUAGES.items():
                times = []
                for _ in range(args.rounds):
                    for quote in quotes:
                        card = Card(quote, library.panel(quote.panel), language=language)
                        started = time.perf_counter()
                        _render.__wrapped__(card, size, theme, fonts, FORMAT)  # the cache bypassed
                        times.append((time.perf_counter() - started) * 1000)
                every += times
                print(f"{size:<9} {theme:<6} {label:<16} {percentile(times, 0.5):>7.1f} {percentile(times, 0.99):>7.1f} "
                      f"{max(times):>7.1f}")
    print(f"{'all':<9} {'':<6} {'':<16} {percentile(every, 0.5):>7.1f} {percentile(every, 0.99):>7.1f} {max(every):>7.1f}")
    card = Card(quotes[0], library.panel(quotes[0].panel))
    render_card_image(card)
    started = time.perf_counter()
    for _ in range(1000):
        render_card_image(card)
    print(f"\na cached card: {(time.perf_counter() - started) * 1000:.3f} µs; mean of a new one: "
          f"{statistics.fmean(every):.1f} ms")


if __name__ == "__main__":
    main()
